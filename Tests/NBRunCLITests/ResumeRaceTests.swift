import Foundation
import NBRunTestSupport
import Testing

/// Issue 27, defect 4: every commit removes `.resume` when it is empty, and a stage making
/// its checkpoint folder inside at that moment lost the race silently (the error was
/// swallowed), then failed on its first checkpoint ("… completed-steps.txt doesn't exist";
/// 1 run in 32 in the issue). Two real processes on one output folder, each committing
/// variants of a checkpointing stage as fast as it can, must never fail.
@Suite("Commits racing a stage's checkpoint folder")
struct ResumeRaceTests {
    static let manifest = """
        title: resume race
        cells:
          - stage: p
            kind: demo.slow
            parameters: {steps: 2, step-milliseconds: 0}
        """

    @Test func checkpointFoldersSurviveConcurrentCommits() throws {
        let binary = try #require(nbrunBinary, "build the executable first: swift build --build-tests")
        let notebook = try TestNotebook(Self.manifest)
        let rounds = Int(ProcessInfo.processInfo.environment["NBRUN_RACE_ROUNDS"] ?? "") ?? 60
        // Different variants (steps 2 and 3), so neither waits for the other's variant lock.
        let loops = try [["--stage", "p", "--force"], ["--force", "--set", "p.steps=3"]].map { arguments in
            try RunningNBRun(URL(fileURLWithPath: "/bin/sh"), ["-c", """
                i=0; while [ $i -lt \(rounds) ]; do "$0" Test.manifest --output out \(arguments.joined(separator: " ")) || exit 1; i=$((i+1)); done
                """, binary.path], in: notebook.folder)
        }
        for loop in loops {
            #expect(loop.ended(within: 600), "the loops hang")
            if loop.process.isRunning { loop.signal(SIGKILL) }
            let result = loop.finish()
            #expect(result.status == 0, "\(result.output.suffix(3000))")
            #expect(!result.output.contains("failed"), "\(result.output.suffix(3000))")
        }
    }
}
