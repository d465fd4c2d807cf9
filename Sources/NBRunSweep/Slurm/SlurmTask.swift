import Foundation
import NBRunEngine

/// One task of a Slurm sweep, on its node (`nbrun slurm-task RECORD --submission K`): finds
/// its variant in the submission record by `SLURM_ARRAY_TASK_ID` and runs it as an ordinary
/// run into the shared output folder and cache, under the same locks as any run.
public struct SlurmTask: Sendable {
    public var recordURL: URL
    public var submission: Int
    /// The first job of a submission: only the stages every variant shares.
    public var shared: Bool
    public var environment: [String: String]

    public init(recordURL: URL, submission: Int, shared: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.recordURL = recordURL
        self.submission = submission
        self.shared = shared
        self.environment = environment
    }

    /// The threads a task may use: what Slurm allocated to it, not the node's every core.
    var threadCount: Int {
        for name in ["SLURM_CPUS_PER_TASK", "SLURM_CPUS_ON_NODE"] {
            if let text = environment[name], let count = Int(text), count > 0 { return count }
        }
        return ProcessInfo.processInfo.activeProcessorCount
    }

    public func run(with runner: Runner) throws(SweepFailure) -> Int32 {
        do { return try run(console: runner.console) { _ in runner } } catch let error as SweepFailure { throw error } catch let error as RunError { throw .run(error) } catch {
            preconditionFailure("a given runner throws nothing: \(error)")
        }
    }

    /// Checks the record first, then makes the runner for the notebook it names (loading the
    /// notebook's compiled code can fail, and a record that does not describe this job must
    /// say so, not that).
    public func run(console: Console, makeRunner: (SlurmSweepRecord) throws -> Runner) throws -> Int32 {
        let loaded: SlurmSweepRecord?
        do { loaded = try SlurmSweepRecord.load(from: recordURL) } catch { throw SweepFailure.slurm(error) }
        guard let record = loaded else { throw SweepFailure.slurm(.unreadableRecord(path: recordURL.path, reason: "it does not exist")) }
        guard record.submissions.indices.contains(submission) else {
            throw SweepFailure.slurm(.unknownTask(path: recordURL.path, index: "of submission \(submission)"))
        }
        let entry = record.submissions[submission]
        let variant: Int
        var limit: Set<String>?
        let node = environment["SLURMD_NODENAME"] ?? ProcessInfo.processInfo.hostName
        if shared {
            // Without its stages the job would compute nothing and succeed, and every task
            // after it would compute the shared stages itself.
            guard let job = entry.sharedJob, !job.stages.isEmpty, record.variants.indices.contains(job.variant) else {
                throw SweepFailure.slurm(.noSharedStages(path: recordURL.path, submission: submission))
            }
            variant = job.variant
            limit = Set(job.stages)
            console.line("nbrun Slurm job \(environment["SLURM_JOB_ID"] ?? "?") on node \(node): the shared stages "
                + job.stages.joined(separator: ", "))
        } else {
            let index = environment["SLURM_ARRAY_TASK_ID"] ?? ""
            guard let position = Int(index), entry.tasks.indices.contains(position),
                  record.variants.indices.contains(entry.tasks[position].variant) else {
                throw SweepFailure.slurm(.unknownTask(path: recordURL.path, index: index.isEmpty ? "(no SLURM_ARRAY_TASK_ID)" : index))
            }
            variant = entry.tasks[position].variant
            console.line("nbrun Slurm task \(environment["SLURM_ARRAY_JOB_ID"] ?? "?")_\(index) on node \(node): "
                + "variant \(variant + 1)/\(record.variants.count) \(record.variants[variant].joined(separator: " "))")
        }
        var overrides: [ParameterOverride] = []
        do {
            for text in record.fixed + record.variants[variant] { overrides.append(try ParameterOverride(parsing: text)) }
        } catch { throw SweepFailure.run(.manifest(error)) }
        if let cache = record.cacheDirectory {
            let current = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            do throws(CacheFolderError) {
                guard !cache.isEmpty else { throw .emptyPath }
                try CacheFolderCheck.check(URL(fileURLWithPath: cache).standardizedFileURL,
                                           manifestFolder: URL(fileURLWithPath: record.manifest).deletingLastPathComponent(),
                                           outputDirectory: URL(fileURLWithPath: record.outputDirectory), currentDirectory: current)
            } catch {
                throw SweepFailure.slurm(.invalidSetting("\(recordURL.path): \(error.description)"))
            }
        }
        let runner = try makeRunner(record)
        let manifest = try runner.loadManifest(URL(fileURLWithPath: record.manifest), overrides: overrides)
        var options = RunOptions()
        options.outputDirectory = URL(fileURLWithPath: record.outputDirectory)
        // The record is a file anyone may have written: its cache gets the checks `--cache`
        // gets, the ones about the data folders once the manifest is loaded.
        if let cache = record.cacheDirectory {
            do throws(CacheFolderError) {
                try CacheFolderCheck.checkOutsideData(URL(fileURLWithPath: cache).standardizedFileURL, manifest: manifest)
            } catch {
                throw SweepFailure.slurm(.invalidSetting("\(recordURL.path): \(error.description)"))
            }
        }
        options.cacheDirectory = record.cacheDirectory.map { URL(fileURLWithPath: $0) }
        options.threadCount = threadCount
        options.limitToStages = limit
        return try runner.run(manifest, options: options).exitCode
    }
}
