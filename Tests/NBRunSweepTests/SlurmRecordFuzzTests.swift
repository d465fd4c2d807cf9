import Foundation
@testable import NBRun
@testable import NBRunEngine
@testable import NBRunSweep
import NBRunTestSupport
import SeededRandom
import Testing

/// Submission records that do not add up (edited by hand, written by another version,
/// indices out of every range): a job either runs what the record names or stops with a
/// Slurm error naming the record. It never crashes, and never succeeds having computed
/// less than its record asks for. `NBRUN_FUZZ_ITERATIONS` (default 300) sets the count.
@Suite("Slurm submission records that do not add up")
struct SlurmRecordFuzzTests {
    static let iterations = ProcessInfo.processInfo.environment["NBRUN_FUZZ_ITERATIONS"].flatMap(Int.init).map { min($0, 3000) } ?? 300

    static func index(_ generator: inout SplitMix64) -> Int {
        [-1, 0, 0, 1, 1, 2, 3, 7, Int.max, Int.min].randomElement(using: &generator)!
    }

    static func record(_ generator: inout SplitMix64, notebook: TestNotebook) -> SlurmSweepRecord {
        let variants = (0..<Int.random(in: 0...3, using: &generator)).map { ["histogram.bins=\($0 + 2)"] }
        var record = SlurmSweepRecord(manifest: notebook.manifestURL.path, fixed: [], axes: ["histogram.bins=2,3,4"],
                                      outputDirectory: notebook.output.path, cacheDirectory: nil, metric: nil, variants: variants)
        for _ in 0..<Int.random(in: 0...2, using: &generator) {
            var shared: SlurmSweepRecord.SharedJob?
            if Bool.random(using: &generator) {
                let stages = ["generate", "square", "summarize", "no-such-stage"].filter { _ in Bool.random(using: &generator) }
                shared = .init(jobID: Bool.random(using: &generator) ? "" : "5", stages: stages, variant: index(&generator), log: "")
            }
            let tasks = (0..<Int.random(in: 0...3, using: &generator)).map { _ in
                SlurmSweepRecord.Task(variant: index(&generator), jobID: "", log: "")
            }
            record.submissions.append(.init(submittedAt: Date(), nbrun: "/x/nbrun", sharedJob: shared, arrayJobID: "",
                                            sbatchArguments: [], tasks: tasks))
        }
        return record
    }

    @Test func aJobRunsWhatItsRecordNamesOrStopsNamingTheRecord() throws {
        let notebook = try TestNotebook()
        let url = notebook.folder.appendingPathComponent("sweep.json")
        var generator = SplitMix64(seed: 2026_1126)
        var ran = 0, refused = 0
        for _ in 0..<Self.iterations {
            let record = Self.record(&generator, notebook: notebook)
            try record.save(to: url)
            let submission = Self.index(&generator)
            let shared = Bool.random(using: &generator)
            let taskID = ["", "0", "1", "2", "-1", "x", "99999999999999999999"].randomElement(using: &generator)!
            let task = SlurmTask(recordURL: url, submission: submission, shared: shared,
                                 environment: ["SLURM_ARRAY_TASK_ID": taskID, "SLURM_CPUS_PER_TASK": "1"])
            let entry = record.submissions.indices.contains(submission) ? record.submissions[submission] : nil
            let outcome: Result<Int32, SweepFailure>
            do throws(SweepFailure) { outcome = .success(try task.run(with: notebook.runner)) } catch { outcome = .failure(error) }
            switch outcome {
            case .success(let status):
                #expect(status == 0)
                ran += 1
                // Only a job the record fully describes gets this far, and it computed that.
                let entry = try #require(entry)
                if shared {
                    let job = try #require(entry.sharedJob)
                    #expect(!job.stages.isEmpty && !job.stages.contains("no-such-stage") && record.variants.indices.contains(job.variant))
                    let plans = try notebook.status(record.variants[job.variant])
                    for stage in job.stages { #expect(plans[stage]?.plan.freshness.isFresh == true, "\(stage)") }
                } else {
                    let position = try #require(Int(taskID))
                    #expect(record.variants.indices.contains(entry.tasks[position].variant))
                }
            case .failure(.slurm(let error)):
                refused += 1
                #expect(error.description.contains(url.path), "\(error.description)")
            case .failure(.run(.unknownStage(let stage, _))):
                refused += 1
                #expect(stage == "no-such-stage")
            case .failure(let error):
                Issue.record("unexpected error: \(error.description)")
            }
        }
        #expect(ran > 0 && refused > 0, "ran \(ran), refused \(refused)")
    }
}
