import Foundation
@testable import NBRunCLI
import NBRunEngine
import NBRunSweep
import NBRunTestSupport
import Testing

/// Scripts branch on nbrun's exit status: 2 for what the user gave, 130 for Ctrl-C, 1 for
/// what went wrong while working. Every failure maps through `ExitStatus`, so a new error
/// cannot quietly exit with the wrong one.
@Suite struct ExitStatusTests {
    @Test func whatTheUserGaveIsTwo() {
        let errors: [any Error] = [
            CommandError.emptyManifestPath, CommandError.noSuchManifest(path: "/tmp/x.manifest"),
            CommandError.notAManifest(path: "/tmp", kind: "a folder"),
            CommandError.manifest(.unknownStage("trian", known: ["train"])),
            RunError.unknownStage("trian", known: ["train"]),
            RunError.manifest(.unreadable(file: "a.manifest", reason: "no such file")),
            SweepFailure.run(.unknownStage("trian", known: ["train"])),
        ]
        for error in errors { #expect(ExitStatus.of(error) == 2, "\(error)") }
    }

    @Test func stoppingIsOneHundredAndThirty() {
        #expect(ExitStatus.of(SlurmError.stoppedWaiting) == 130)
        #expect(ExitStatus.of(SweepFailure.slurm(.stoppedWaiting)) == 130)
        #expect(ExitStatus.of(RunError.interrupted(path: "/tmp/out")) == 130)
    }

    @Test func failuresWhileWorkingAreOne() {
        #expect(ExitStatus.of(CommandError.cannotCreateCacheFolder(path: "/tmp/c", reason: "read-only")) == 1)
        #expect(ExitStatus.of(SlurmError.toolNotFound("sbatch")) == 1)
        #expect(ExitStatus.of(SweepFailure.slurm(.toolNotFound("sbatch"))) == 1)
        #expect(ExitStatus.of(RunError.outputLocked(path: "/tmp/out", pid: 12)) == 1)
        #expect(ExitStatus.of(RunError.variantLocked(stage: "train", fingerprint: "ab12")) == 1)
    }

    @Test func messagesNameWhatIsWrong() {
        #expect(CommandError.noSuchManifest(path: "/tmp/x.manifest").description == "/tmp/x.manifest: no such manifest file")
        #expect(CommandError.notAManifest(path: "/tmp", kind: "a folder").description == "/tmp is a folder, not a manifest file")
        #expect(CommandError.cannotCreateCacheFolder(path: "/tmp/c", reason: "read-only").description
            == "cannot create the cache folder /tmp/c: read-only")
    }

    /// A sandbox with `nb/Test.manifest`, one stage named `generate`.
    func oneStageNotebook() throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.file("nb/Test.manifest", """
            title: stage names
            cells:
              - stage: generate
                kind: demo.generate
                parameters: {count: 3}
            """)
        return sandbox
    }

    /// A mistyped `--stage` is the user's to fix, like a mistyped `--set`: status 2, the
    /// stages it could have meant, and nothing written.
    @Test func aMistypedStageThroughTheExecutableIsTwoAndWritesNothing() throws {
        let sandbox = try oneStageNotebook()
        let before = sandbox.snapshot()
        for command in [["Test.manifest", "--stage", "genrate"], ["Test.manifest", "--stage", "genrate", "--dry-run"]] {
            let result = try sandbox.nbrun(command + ["--output", "o"], in: "nb")
            #expect(result.status == 2, "\(command): \(result.output)")
            #expect(result.output.contains("nbrun: error: no stage named 'genrate' in the manifest; did you mean 'generate'?"),
                    "\(command): \(result.output)")
        }
        #expect(sandbox.snapshot().differences(from: before) == [], "nothing run, nothing written")
    }

    /// Error messages quote what the user gave; a control character in it reaches the
    /// terminal escaped, as the console escapes a stage's output, and the message still
    /// says what is wrong.
    @Test func errorsQuoteHostileNamesEscaped() throws {
        let sandbox = try oneStageNotebook()
        try sandbox.file("nb/plain-file", "not a folder\n")
        let before = sandbox.snapshot()

        let stage = try sandbox.nbrun(["Test.manifest", "--output", "o", "--stage", "\u{1B}]0;owned\u{7}"], in: "nb")
        #expect(stage.status == 2, "\(stage.output)")
        #expect(stage.output.contains("no stage named '\\u{1B}]0;owned\\u{7}' in the manifest"), "\(stage.output)")
        #expect(!stage.output.contains("\u{1B}") && !stage.output.contains("\u{7}"), "\(stage.output)")

        let cache = try sandbox.nbrun(["Test.manifest", "--output", "o", "--cache", "plain-file/\u{1B}[31mcache"], in: "nb")
        #expect(cache.status == 1, "\(cache.output)")
        #expect(cache.output.contains("cannot create the cache folder \(sandbox.url("nb/plain-file").path)/\\u{1B}[31mcache: "
                                      + "\(sandbox.url("nb/plain-file").path) is a regular file, not a folder"), "\(cache.output)")
        #expect(!cache.output.contains("\u{1B}"), "\(cache.output)")
        #expect(sandbox.snapshot().differences(from: before) == [], "nothing run, nothing written")
    }
}
