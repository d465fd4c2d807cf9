import Foundation
@testable import NBRun
@testable import NBRunEngine
@testable import NBRunSweep
import NBRunTestSupport
import Testing

/// The localhost cluster of `Scripts/slurm-test-cluster`, if it answers.
enum SlurmTestCluster {
    static let configuration: String = {
        if let conf = ProcessInfo.processInfo.environment["SLURM_CONF"], !conf.isEmpty { return conf }
        let folder = ProcessInfo.processInfo.environment["NBRUN_SLURM_DIR"] ?? "/tmp/nbrun-slurm"
        return folder + "/slurm.conf"
    }()

    static let isCI = ["true", "1", "yes"].contains(ProcessInfo.processInfo.environment["CI"]?.lowercased() ?? "")

    /// Nil when both nodes answer; otherwise why not.
    static let problem: String? = {
        guard FileManager.default.fileExists(atPath: configuration) else { return "no Slurm configuration at \(configuration)" }
        guard let sinfo = SlurmScheduler.find("sinfo") else { return "sinfo not found (apt-get install slurm-wlm munge)" }
        let process = Process()
        process.executableURL = sinfo
        process.arguments = ["--noheader", "--Node", "--format=%N %t"]
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return "sinfo did not start: \(error)" }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let nodes = Set(text.split(whereSeparator: \.isNewline).compactMap { $0.split(separator: " ").first.map(String.init) })
        guard process.terminationStatus == 0, nodes.isSuperset(of: ["n1", "n2"]) else {
            return "the cluster at \(configuration) does not answer with nodes n1 and n2 (sinfo: \(text.trimmingCharacters(in: .whitespacesAndNewlines)))"
        }
        return nil
    }()

    static let environment: [String: String] = {
        var environment = ProcessInfo.processInfo.environment
        environment["SLURM_CONF"] = configuration
        return environment
    }()

    /// Skipped outside CI with the reason printed; in CI (`CI=true`) the tests run and fail on it.
    static let shouldRun: Bool = {
        if problem == nil || isCI { return true }
        FileHandle.standardError.write(Data("""
            note: Slurm cluster tests skipped: \(problem!). Start the cluster with \
            `Scripts/slurm-test-cluster start` (as root; .ci/run does it) to run them.

            """.utf8))
        return false
    }()
}

/// Sweeps submitted to a real Slurm (slurmctld and two slurmd nodes on this machine, from
/// `Scripts/slurm-test-cluster`) through the built nbrun binary, compared with the same
/// sweeps run locally by the same binary.
@Suite("Sweeps on a Slurm cluster", .serialized,
       .enabled(if: SlurmTestCluster.shouldRun, "no Slurm test cluster: start it with Scripts/slurm-test-cluster start"))
struct SlurmClusterTests {
    let folder: URL
    let binary: URL

    init() throws {
        try #require(SlurmTestCluster.problem == nil, """
            the Slurm test cluster is not reachable (CI=true): \(SlurmTestCluster.problem ?? ""). \
            Scripts/slurm-test-cluster start must run first (.ci/run does)
            """)
        binary = try #require(nbrunBinary, "no nbrun executable next to the test bundle: run `swift build --build-tests` first")
        // The tests' own squeue and scancel find the cluster the way the nbrun processes do.
        setenv("SLURM_CONF", SlurmTestCluster.configuration, 1)
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("nbrun-slurm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs the nbrun binary to its end.
    func nbrun(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try RunningNBRun(binary, arguments, in: folder, environment: SlurmTestCluster.environment).finish()
    }

    /// Every cached variant: stage → fingerprint → artifact → SHA-256.
    func cachedVariants(_ cache: URL) throws -> [String: [String: [String: String]]] {
        var result: [String: [String: [String: String]]] = [:]
        let stages = cache.appendingPathComponent("stages")
        for stage in try FileManager.default.contentsOfDirectory(atPath: stages.path) {
            for fingerprint in try FileManager.default.contentsOfDirectory(atPath: stages.appendingPathComponent(stage).path)
            where VariantCache.isFingerprint(fingerprint) {
                let data = try Data(contentsOf: stages.appendingPathComponent("\(stage)/\(fingerprint)/record.json"))
                let decoder = JSONDecoder()
                decoder.dateDecodingStrategy = .iso8601
                let record = try decoder.decode(StageRecord.self, from: data)
                result[stage, default: [:]][fingerprint] = Dictionary(uniqueKeysWithValues: record.artifacts.map { ($0.name, $0.sha256) })
            }
        }
        return result
    }

    /// The sweep table without its "computed now" column (a collected sweep restores every
    /// variant, a local one computes them): variants, swept values, metrics, status.
    func sweepTable(_ output: URL) throws -> [String] {
        let text = try String(contentsOf: output.appendingPathComponent("sweep.md"), encoding: .utf8)
        return text.split(separator: "\n").filter { $0.hasPrefix("| ") }.map { line in
            var cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            cells.remove(at: cells.count - 3)
            return cells.joined(separator: "|")
        }
    }

    func record(_ output: URL) throws -> SlurmSweepRecord {
        try #require(try SlurmSweepRecord.load(from: output.appendingPathComponent("slurm/sweep.json")))
    }

    /// Waits until the scheduler lists none of `jobs` (array tasks included).
    func waitUntilDone(_ jobs: [String], timeout: Double = 300) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let active = try activeJobs()
            if !active.keys.contains(where: { key in jobs.contains { key == $0 || key.hasPrefix($0 + "_") } }) { return }
            Thread.sleep(forTimeInterval: 0.5)
        }
        Issue.record("jobs \(jobs) still in the queue after \(timeout) s")
    }

    func activeJobs() throws -> [String: String] {
        try SlurmScheduler().activeJobs()
    }

    @Test func anLSTMSweepOnTwoNodesEqualsTheLocalSweepBitForBit() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let manifest = Self.repository.appendingPathComponent("Notebooks/LSTM.manifest").path
        let slice = ["--set", "load-data.train-limit=300", "--set", "load-data.test-limit=100",
                     "--set", "build-model.hidden-size=8", "--set", "train.learning-rate=0.01"]
        let sweep = ["--sweep", "train.epochs=1,2,3", "--metric", "test.accuracy"]
        let output = folder.appendingPathComponent("slurm-out"), cache = folder.appendingPathComponent("shared-cache")

        let submitted = try nbrun([manifest, "--output", output.path, "--cache", cache.path] + slice + sweep
            + ["--on", "slurm", "--wait", "--partition", "debug", "--time", "10", "--sbatch-arg=--comment=nbrun test"])
        #expect(submitted.status == 0, "\(submitted.output)")
        #expect(submitted.output.contains("submitting 3 of 3 variants, after a job computing the shared stages load-data, visualize-batch, build-model"))
        #expect(submitted.output.contains("sweep report: \(output.path)/sweep.md"))

        // sbatch got exactly nbrun's arguments, then the user's, in order.
        let record = try record(output)
        let submission = try #require(record.submissions.first)
        let shared = try #require(submission.sharedJob)
        #expect(submission.sbatchArguments == [
            ["--parsable", "--job-name=nbrun-LSTM-shared", "--output=\(output.path)/slurm/slurm-%j.log",
             "--partition=debug", "--time=10", "--comment=nbrun test"],
            ["--parsable", "--job-name=nbrun-LSTM", "--output=\(output.path)/slurm/slurm-%A_%a.log", "--array=0-2",
             "--dependency=afterok:\(shared.jobID)", "--kill-on-invalid-dep=yes",
             "--partition=debug", "--time=10", "--comment=nbrun test"],
        ])
        // The tasks ran on both nodes, each logging its variant.
        var nodes: Set<String> = []
        for task in submission.tasks {
            let log = try String(contentsOfFile: task.log, encoding: .utf8)
            #expect(log.contains("nbrun Slurm task \(task.jobID) on node"), "\(log)")
            for node in ["n1", "n2"] where log.contains("on node \(node):") { nodes.insert(node) }
            #expect(!log.contains("▶ load-data"), "a task recomputed a shared stage:\n\(log)")
        }
        #expect(nodes == ["n1", "n2"])
        #expect(FileManager.default.fileExists(atPath: cache.appendingPathComponent("stages/train").path))
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent(".cache").path))

        // The same sweep run here, by the same binary: same table, same bytes in every variant.
        let localOutput = folder.appendingPathComponent("local-out")
        let local = try nbrun([manifest, "--output", localOutput.path] + slice + sweep + ["--threads", "2"])
        #expect(local.status == 0, "\(local.output)")
        #expect(try sweepTable(output) == sweepTable(localOutput))
        #expect(try sweepTable(output).count == 5)
        let remote = try cachedVariants(cache)
        #expect(try remote == cachedVariants(localOutput.appendingPathComponent(".cache")))
        #expect(remote["train"]?.count == 3)
        for (fingerprint, artifacts) in remote["train"] ?? [:] {
            #expect(artifacts["model.safetensors"] != nil)
            let name = "stages/train/\(fingerprint)/model.safetensors"
            #expect(try Data(contentsOf: cache.appendingPathComponent(name))
                == Data(contentsOf: localOutput.appendingPathComponent(".cache/\(name)")))
        }
        #expect(try Data(contentsOf: output.appendingPathComponent("report.md")).count > 0)

        // Submitting again submits nothing and collects the report again.
        let again = try nbrun([manifest, "--output", output.path, "--cache", cache.path] + slice + sweep + ["--on", "slurm"])
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output.contains("all 3 variants are in the cache; nothing to submit"))
        #expect(try self.record(output).submissions.count == 1)

        // `nbrun runs` reads the shared cache.
        let runs = try nbrun(["runs", manifest, "--output", output.path, "--cache", cache.path] + slice)
        #expect(runs.status == 0 && runs.output.contains("train: 3 variants"), "\(runs.output)")
    }

    /// A notebook of demo stages: `slow` takes `steps` × 20 ms, and `fail` fails on request.
    func writeDemoManifest() throws -> String {
        let manifest = folder.appendingPathComponent("Sweep.manifest")
        try Data("""
            title: "Slurm sweep"
            cells:
              - stage: generate
                kind: demo.generate
                parameters: {seed: 3, count: 20}
              - stage: square
                kind: demo.square
                reads: [generate]
              - stage: slow
                kind: demo.slow
                parameters: {steps: 2, step-milliseconds: 20}
                reads: [square]
              - stage: fail
                kind: demo.fail
                reads: [slow]

            """.utf8).write(to: manifest)
        return manifest.path
    }

    @Test func aFailingTaskIsReportedWithItsJobIDAndLog() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let manifest = try writeDemoManifest()
        let output = folder.appendingPathComponent("out"), cache = folder.appendingPathComponent("cache")
        let result = try nbrun([manifest, "--output", output.path, "--cache", cache.path,
                                "--sweep", "fail.should-fail=false,true", "--on", "slurm", "--wait"])
        #expect(result.status == 1, "\(result.output)")
        let submission = try #require(try record(output).submissions.last)
        let task = try #require(submission.tasks.first { $0.variant == 1 })
        #expect(result.output.contains("nbrun: variant 2 (fail.should-fail=true) failed: Slurm job \(task.jobID) (FAILED), log: \(task.log)"),
                "\(result.output)")
        #expect(task.log == "\(output.path)/slurm/slurm-\(submission.arrayJobID)_1.log")
        #expect(try String(contentsOfFile: task.log, encoding: .utf8).contains("as requested"))
        #expect(result.output.contains("1 of 2 variants are missing"))
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("sweep.md").path))
    }

    /// No stage is shared by the whole grid here, so no first job: the two tasks of each
    /// `generate.count` need the same `generate` variant, on two nodes at once, and its lock
    /// in the shared cache makes one compute it and the other reuse it.
    @Test func aVariantTwoTasksNeedIsComputedOnce() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let manifest = try writeDemoManifest()
        let output = folder.appendingPathComponent("out"), cache = folder.appendingPathComponent("cache")
        let result = try nbrun([manifest, "--output", output.path, "--cache", cache.path, "--sweep", "generate.count=10,20",
                                "--sweep", "fail.message=a,b", "--on", "slurm", "--wait"])
        #expect(result.status == 0, "\(result.output)")
        let submission = try #require(try record(output).submissions.last)
        #expect(submission.sharedJob == nil)
        #expect(submission.tasks.count == 4)
        let logs = try submission.tasks.map { try String(contentsOfFile: $0.log, encoding: .utf8) }
        #expect(logs.filter { $0.contains("✓ generate") }.count == 2, "\(logs)")
        #expect(logs.filter { $0.contains("✓ slow") }.count == 2, "\(logs)")
        #expect(try cachedVariants(cache)["generate"]?.count == 2)
    }

    @Test func scancelLeavesNoHalfWrittenResultAndResubmittingRunsOnlyWhatIsMissing() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let manifest = try writeDemoManifest()
        let output = folder.appendingPathComponent("out"), cache = folder.appendingPathComponent("cache")
        let arguments = [manifest, "--output", output.path, "--cache", cache.path, "--sweep", "slow.steps=2,1000", "--on", "slurm"]
        let first = try nbrun(arguments)
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("submitting 2 of 2 variants"))
        let submission = try #require(try record(output).submissions.last)
        let long = try #require(submission.tasks.first { $0.variant == 1 })

        // Cancel the long task once it is computing `slow` (its log shows progress).
        let deadline = Date().addingTimeInterval(120)
        var computing = false
        while Date() < deadline, !computing {
            computing = (try? String(contentsOfFile: long.log, encoding: .utf8))?.contains("  slow: ") == true
            if !computing { Thread.sleep(forTimeInterval: 0.2) }
        }
        try #require(computing, "the long task never showed progress: \((try? String(contentsOfFile: long.log, encoding: .utf8)) ?? "no log")")
        try SlurmScheduler().cancel([long.jobID])
        try waitUntilDone([submission.arrayJobID] + (submission.sharedJob.map { [$0.jobID] } ?? []))
        let cancelledLog = try String(contentsOfFile: long.log, encoding: .utf8)
        #expect(cancelledLog.contains("SIGTERM received"), "\(cancelledLog)")
        #expect(cancelledLog.contains("✗ slow interrupted"), "\(cancelledLog)")

        // Only whole variants in the cache: the short one, none of the cancelled one.
        let slowVariants = try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("stages/slow").path)
        #expect(slowVariants.filter(VariantCache.isFingerprint).count == 1, "\(slowVariants)")
        for name in slowVariants where VariantCache.isFingerprint(name) {
            let steps = try String(contentsOf: cache.appendingPathComponent("stages/slow/\(name)/steps.txt"), encoding: .utf8)
            #expect(steps == "2\n")
        }
        let runs = try nbrun(["runs", manifest, "--output", output.path, "--cache", cache.path, "--json"])
        #expect(runs.status == 0)
        #expect(!runs.output.contains("\"1000\""), "\(runs.output)")

        // Submitting again submits only the cancelled variant, then collects the report.
        let second = try nbrun(arguments + ["--wait"])
        #expect(second.status == 0, "\(second.output)")
        #expect(second.output.contains("submitting 1 of 2 variants (the others are cached or still queued or running)"))
        let resubmitted = try #require(try record(output).submissions.last)
        #expect(resubmitted.tasks.map(\.variant) == [1])
        #expect(resubmitted.sharedJob == nil)
        #expect(try String(contentsOfFile: resubmitted.tasks[0].log, encoding: .utf8).contains("resuming after step"))

        let localOutput = folder.appendingPathComponent("local")
        let local = try nbrun([manifest, "--output", localOutput.path, "--sweep", "slow.steps=2,1000"])
        #expect(local.status == 0, "\(local.output)")
        #expect(try sweepTable(output) == sweepTable(localOutput))
        #expect(try cachedVariants(cache) == cachedVariants(localOutput.appendingPathComponent(".cache")))
    }
}
