import Foundation
import NBRunTestSupport
import Testing

/// Issue 27, defect 2: `clean` with another `--cache` than a running run's printed "removed"
/// at once and deleted the run's work; the run failed. Whichever of the two names a
/// `--cache`, clean now waits for the run to end, the run succeeds, and then clean removes
/// the folder. Real processes.
@Suite("clean waits for a run on the folder whatever --cache either names")
struct CleanOtherCacheTests {
    static let manifest = """
        title: clean while running
        cells:
          - stage: slow
            kind: demo.slow
            parameters: {steps: 150, step-milliseconds: 10}
        """

    @Test(arguments: [(run: ["--cache", "x-run"], clean: [String]()), (run: [String](), clean: ["--cache", "x-clean"]),
                      (run: ["--cache", "x-run"], clean: ["--cache", "x-clean"])])
    func cleanWaitsForTheRun(run runCache: [String], clean cleanCache: [String]) throws {
        let binary = try #require(nbrunBinary, "build the executable first: swift build --build-tests")
        let notebook = try TestNotebook(Self.manifest)
        let run = try RunningNBRun(binary, ["Test.manifest", "--output", "d"] + runCache, in: notebook.folder)
        defer { if run.process.isRunning { run.signal(SIGKILL) } }
        try run.waitForOutput(containing: "▶ slow")
        let clean = try RunningNBRun(binary, ["clean", "Test.manifest", "--output", "d"] + cleanCache, in: notebook.folder)
        defer { if clean.process.isRunning { clean.signal(SIGKILL) } }
        #expect(run.ended(within: 60) && clean.ended(within: 60), "a hang")
        let (runStatus, runOutput) = run.finish()
        let (cleanStatus, cleanOutput) = clean.finish()
        #expect(runStatus == 0 && runOutput.contains("✓ slow"), "run \(runCache): \(runOutput)")
        #expect(cleanStatus == 0 && cleanOutput.contains("waiting for another nbrun"), "clean \(cleanCache): \(cleanOutput)")
        #expect(cleanOutput.contains("removed"), "\(cleanOutput)")
        #expect(!FileManager.default.fileExists(atPath: notebook.folder.appendingPathComponent("d").path), "clean went on after the run")
    }
}
