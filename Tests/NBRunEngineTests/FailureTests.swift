import AtomicFiles
import Foundation
import NBRunEngine
import NBRunTestSupport
import Testing

@Suite("A failing stage leaves earlier results and still writes a report")
struct FailureTests {
    static let manifest = """
        title: "Failing notebook"
        cells:
          - stage: generate
            kind: demo.generate
            parameters: {count: 5}
          - stage: fail
            kind: demo.fail
          - stage: dependent
            kind: demo.square
            reads: [generate, fail]
          - stage: independent
            kind: demo.histogram
            reads: [generate]
        """

    @Test func throwingStageKeepsItsPreviousResultAndReportsTheFailure() throws {
        let notebook = try TestNotebook(Self.manifest)
        #expect(try notebook.run().exitCode == 0)
        let recordBefore = try Data(contentsOf: notebook.artifact("fail", "record.json"))

        let result = try notebook.run(["fail.should-fail=true", "fail.message=boom"])
        #expect(result.exitCode == 1)
        guard case .failed(let error, let output, let previous) = result.outcome("fail") else {
            Issue.record("fail should have failed"); return
        }
        #expect(error == "failure requested by parameter should-fail: boom")
        #expect(output == "about to decide whether to fail\n")
        #expect(previous != nil)
        #expect(try Data(contentsOf: notebook.artifact("fail", "record.json")) == recordBefore)
        #expect(try notebook.read("fail", "marker.txt") == "partial\n")
        let staging = notebook.output.appendingPathComponent(".staging")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: staging.path)) ?? []).isEmpty)

        let report = try notebook.report()
        #expect(report.contains("> **❌ This stage failed:** `failure requested by parameter should-fail: boom`"))
        #expect(report.contains("Output printed before it stopped:\n\n```\nabout to decide whether to fail\n```"))
        #expect(report.contains("The last complete result, from an earlier run"))
        #expect(report.contains("> **⚠️ Not run in this run:** the run stopped after stage fail failed. Results below are from an earlier run"))
        // The earlier cached result is still fresh for the original parameters.
        #expect(try notebook.status()["fail"]?.freshness.isFresh == true)
    }

    @Test func runStopsAfterAFailureByDefault() throws {
        let notebook = try TestNotebook(Self.manifest)
        let result = try notebook.run(["fail.should-fail=true"])
        #expect(result.exitCode == 1)
        #expect(result.executed == ["generate", "fail"])
        guard case .notRun(let reason, nil) = result.outcome("independent") else { Issue.record("independent ran"); return }
        #expect(reason.contains("stopped after stage fail failed"))
        #expect(try notebook.report().contains("There is no earlier result."))
    }

    @Test func keepGoingRunsStagesThatDoNotDependOnTheFailure() throws {
        let notebook = try TestNotebook(Self.manifest)
        let result = try notebook.run(["fail.should-fail=true"]) { $0.keepGoing = true }
        #expect(result.exitCode == 1)
        #expect(result.executed == ["generate", "fail", "independent"])
        guard case .notRun(let reason, _) = result.outcome("dependent") else { Issue.record("dependent ran"); return }
        #expect(reason == "upstream stage fail did not complete")
        #expect(FileManager.default.fileExists(atPath: notebook.artifact("independent", "histogram.png").path))
    }

    @Test func interruptedStageIsNotCommitted() throws {
        let notebook = try TestNotebook("""
            title: slow
            cells:
              - stage: slow
                kind: demo.slow
                parameters: {steps: 2, step-milliseconds: 1}
            """)
        try notebook.run()
        let cancellation = notebook.cancellation
        Thread {
            Thread.sleep(forTimeInterval: 0.15)
            cancellation.cancel()
        }.start()
        let result = try notebook.run(["slow.steps=2000"])
        #expect(result.exitCode == 130)
        guard case .interrupted = result.outcome("slow") else { Issue.record("not interrupted"); return }
        #expect(try notebook.read("slow", "steps.txt") == "2\n")
        #expect(try notebook.report().contains("This stage was interrupted"))
    }

    @Test func outputFolderBlockedByAFileIsAClearError() throws {
        let notebook = try TestNotebook()
        try notebook.writeFile("blocker", "not a folder")
        let blocked = notebook.folder.appendingPathComponent("blocker").appendingPathComponent("out")
        do {
            _ = try notebook.runner.run(try notebook.load(), options: notebook.options { $0.outputDirectory = blocked })
            Issue.record("expected an error")
        } catch let error as RunError {
            guard case .storage(.cannotCreate(let path, _)) = error else { Issue.record("\(error)"); return }
            #expect(path == blocked.path)
            #expect(error.description.hasPrefix("cannot create \(blocked.path)"))
        }
    }
}

@Suite("Disk and permission failures leave earlier results intact")
struct StorageFailureTests {
    @Test func fullDiskFailsTheStageAndKeepsTheEarlierResult() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let before = try notebook.read("generate", "numbers.txt")
        notebook.fileWriter = FullDisk()
        let result = try notebook.run(["generate.count=500"])
        notebook.fileWriter = AtomicFileWriter()
        #expect(result.exitCode == 1)
        guard case .failed(let error, _, let previous) = result.outcome("generate") else {
            Issue.record("generate should fail"); return
        }
        #expect(error.contains("No space left on device"))
        #expect(error.contains("generate-\(getpid())/record.json"))
        #expect(previous != nil)
        #expect(try notebook.read("generate", "numbers.txt") == before)
        #expect(try notebook.status()["generate"]?.freshness.isFresh == true)
        #expect(try notebook.report().contains("No space left on device"))
        let cache = VariantCache(root: notebook.output.appendingPathComponent(".cache"))
        let wanted = try #require(try notebook.status(["generate.count=500"])["generate"])
        #expect(!FileManager.default.fileExists(atPath: cache.variantFolder("generate", fingerprint: wanted.fingerprint).path),
                "nothing of the failed commit is cached")
        #expect(!FileManager.default.fileExists(atPath: notebook.output.appendingPathComponent(".staging").path),
                "the staging folder, and the record's temporary file in it, are gone")
        #expect(try notebook.run(["generate.count=500"]).executed.contains("generate"), "with space again, the stage commits")
    }

    @Test(.enabled(if: getuid() != 0, "root ignores folder permissions"))
    func unwritableOutputFolderIsAClearError() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: notebook.output.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: notebook.output.path) }
        #expect(throws: RunError.storage(.cannotWrite(path: notebook.output.path, reason: "the output folder is not writable"))) {
            try notebook.run { $0.force = true }
        }
        #expect(try notebook.read("generate", "numbers.txt").isEmpty == false)
    }
}

/// A disk with no space left: each write fails the way `write(2)` does on a full disk, inside
/// the real atomic writer, so its clean-up of the temporary file is what a real disk would get.
struct FullDisk: FileWriting {
    func write(_ data: Data, to url: URL) throws(AtomicWriteError) {
        try AtomicFile.write(data, to: url.path, using: { _, _, _ in
            errno = ENOSPC
            return -1
        })
    }
}
