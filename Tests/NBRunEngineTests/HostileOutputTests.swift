import Foundation
import NBRunEngine
import NBRunTestSupport
import Testing

/// Issue 17 (items 1, 2, 6, 7, 9, 10 and parts of 13) through the real executable: links
/// and pipes planted in or given to nbrun, races with `clean`, Ctrl-C while waiting.
@Suite("Planted links, pipes and races in the output folder")
struct HostileOutputTests {
    static let manifest = """
        title: hostile
        cells:
          - stage: generate
            kind: demo.generate
            parameters: {count: 5}
          - stage: slow
            kind: demo.slow
            parameters: {steps: 2, step-milliseconds: 1}
            reads: [generate]
          - stage: words
            kind: demo.count-words
            parameters: {text: words.txt}
        """

    func notebook() throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.file("nb/words.txt", "one two\n")
        try sandbox.file("nb/Test.manifest", Self.manifest)
        try sandbox.file("victim/a.txt", "a\n")
        try sandbox.file("victim/sub/b.txt", "b\n")
        return sandbox
    }

    @Test(arguments: [".trash", ".staging", ".resume", "report-assets", ".cache"])
    func linkedWorkFolderIsRefusedAndItsTargetKept(name: String) throws {
        let sandbox = try notebook()
        #expect(try sandbox.nbrun(["Test.manifest", "--output", "o"], in: "nb").status == 0)
        if sandbox.exists("nb/o/\(name)") {  // report-assets, .cache: real folders after the first run
            try FileManager.default.removeItem(at: sandbox.url("nb/o/\(name)"))
        }
        try sandbox.link("nb/o/\(name)", to: "../../victim")
        let victim = FileTreeSnapshot(of: sandbox.url("victim"))
        for command in [["Test.manifest", "--output", "o"], ["Test.manifest", "--output", "o", "--force"]] {
            let result = try sandbox.nbrun(command, in: "nb")
            #expect(result.status == 1, "\(result.output)")
            #expect(result.output.contains("o/\(name) is a symbolic link, where nbrun keeps its folder \(name)"), "\(result.output)")
        }
        let clean = try sandbox.nbrun(["clean", "Test.manifest", "--output", "o"], in: "nb")
        #expect(clean.output.contains("  \(name) (a symbolic link, not written by nbrun)"), "\(clean.output)")
        #expect(FileTreeSnapshot(of: sandbox.url("victim")) == victim)
        #expect(sandbox.exists("nb/o/\(name)"))
    }

    /// A cloned repository that commits `output/Test/.trash -> ../../..` must not cost its neighbours.
    @Test func committedLinkInAFreshCloneIsRefused() throws {
        let sandbox = try notebook()
        try sandbox.link("nb/output/Test/.trash", to: "../../..")
        let before = sandbox.snapshot()
        for command in [["Test.manifest"], ["clean", "Test.manifest"], ["Test.manifest", "--force"]] {
            let result = try sandbox.nbrun(command, in: "nb")
            #expect(result.status == 1, "\(command): \(result.output)")
            #expect(result.output.contains("output folder \(sandbox.url("nb/output/Test").path) was not created by nbrun and is not empty (it holds .trash)"),
                    "\(result.output)")
        }
        #expect(sandbox.snapshot().differences(from: before) == [])
    }

    @Test func linkOrPipeAtTheLockOrReportIsRefused() throws {
        let sandbox = try notebook()
        #expect(try sandbox.nbrun(["Test.manifest", "--output", "o"], in: "nb").status == 0)
        try FileManager.default.removeItem(at: sandbox.url("nb/o/.lock"))
        try sandbox.link("nb/o/.lock", to: "../../victim/a.txt")
        let lock = try sandbox.nbrun(["Test.manifest", "--output", "o"], in: "nb", timeout: 20)
        #expect(lock.status == 1 && !lock.timedOut)
        #expect(lock.output.contains("o/.lock is a symbolic link, where nbrun keeps its file .lock"), "\(lock.output)")
        #expect(try String(contentsOf: sandbox.url("victim/a.txt"), encoding: .utf8) == "a\n", "not truncated, no pid written")
        try FileManager.default.removeItem(at: sandbox.url("nb/o/.lock"))
        try sandbox.fifo("nb/o/.lock")
        let fifoLock = try sandbox.nbrun(["clean", "Test.manifest", "--output", "o"], in: "nb", timeout: 20)
        #expect(fifoLock.status == 1 && !fifoLock.timedOut)
        #expect(fifoLock.output.contains("o/.lock is a FIFO (named pipe), where nbrun keeps its lock file"), "\(fifoLock.output)")
        try FileManager.default.removeItem(at: sandbox.url("nb/o/.lock"))
        try FileManager.default.removeItem(at: sandbox.url("nb/o/report.md"))
        try sandbox.fifo("nb/o/report.md")
        let report = try sandbox.nbrun(["Test.manifest", "--output", "o"], in: "nb", timeout: 20)
        #expect(report.status == 1 && !report.timedOut)
        #expect(report.output.contains("o/report.md is a FIFO (named pipe), where nbrun keeps its file report.md"), "\(report.output)")
    }

    /// Paths that never reach end of file, given as data: refused by name, at once.
    @Test func nonRegularDataPathsAreRefusedWithoutHanging() throws {
        let sandbox = try notebook()
        try sandbox.fifo("nb/pipe")
        try sandbox.fifo("nb/with-pipe/inner/pipe")
        try sandbox.file("nb/with-zero/ok.txt", "fine\n")
        try sandbox.link("nb/with-zero/zero", to: "/dev/zero")
        try sandbox.link("nb/zero-link", to: "/dev/zero")
        try sandbox.link("nb/pipe-link", to: "pipe")
        let cases: [(path: String, message: String)] = [
            ("pipe", "nb/pipe: it is a FIFO (named pipe), not a regular file"),
            ("/dev/zero", "/dev/zero: it is a character device, not a regular file"),
            ("/dev/urandom", "/dev/urandom: it is a character device, not a regular file"),
            ("with-pipe", "with-pipe/inner/pipe: it is a FIFO (named pipe)"),
            ("with-zero", "with-zero/zero (a link to /dev/zero): it is a character device"),
            ("zero-link", "/dev/zero-link"),
            ("pipe-link", "pipe-link: it is a FIFO (named pipe)"),
        ]
        for (path, message) in cases {
            for command in [["Test.manifest", "--output", "o"], ["status", "Test.manifest", "--output", "o"]] {
                let result = try sandbox.nbrun(command + ["--set", "words.text=\(path)"], in: "nb", timeout: 20)
                #expect(!result.timedOut, "\(path) hung")
                #expect(result.status == 1, "\(path): \(result.output)")
                #expect(result.output.contains(message) || (path == "zero-link" && result.output.contains("zero-link: it is a character device")),
                        "\(path): \(result.output)")
            }
        }
    }

    /// The LSTM notebook's weights parameter, as in the issue: refused while fingerprinting, before any stage.
    @Test func deviceAsWeightsFileIsRefused() throws {
        let sandbox = try notebook()
        let manifest = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Notebooks/LSTM.manifest")
        for command in ["status", "run"] {
            let result = try sandbox.nbrun([command, manifest.path, "--output", "o", "--set", "build-model.weights=/dev/zero"],
                                           timeout: 30)
            #expect(!result.timedOut && result.status == 1, "\(result.output)")
            #expect(result.output.contains("cannot read /dev/zero: it is a character device, not a regular file"), "\(result.output)")
        }
        #expect(!sandbox.exists("o/load-data"), "no stage ran")
    }

    @Test func recordNamingAFileOutsideItsFolderIsDamaged() throws {
        let sandbox = try notebook()
        #expect(try sandbox.nbrun(["Test.manifest", "--output", "o"], in: "nb").status == 0)
        let recordURL = sandbox.url("nb/o/generate/record.json")
        let record = try String(contentsOf: recordURL, encoding: .utf8)
        try Data(record.replacingOccurrences(of: "\"numbers.txt\"", with: "\"../../../../dev/zero\"").utf8).write(to: recordURL)
        let status = try sandbox.nbrun(["status", "Test.manifest", "--output", "o"], in: "nb", timeout: 20)
        #expect(!status.timedOut)
        #expect(status.output.contains("generate  never run: \(recordURL.path) is damaged (names '../../../../dev/zero', which is not a file inside its folder)"),
                "\(status.output)")
        let run = try sandbox.nbrun(["Test.manifest", "--output", "o"], in: "nb", timeout: 20)
        #expect(!run.timedOut && run.status == 0, "\(run.output)")
        // A FIFO in place of a record is damaged too, not waited on.
        try FileManager.default.removeItem(at: recordURL)
        try sandbox.fifo("nb/o/generate/record.json")
        let fifo = try sandbox.nbrun(["status", "Test.manifest", "--output", "o"], in: "nb", timeout: 20)
        #expect(!fifo.timedOut)
        #expect(fifo.output.contains("record.json: it is a FIFO (named pipe)"), "\(fifo.output)")
        #expect(fifo.output.contains("generate  fresh: cached variant, put back in place by the next run"), "\(fifo.output)")
    }

    /// Item 7: a run starting while `clean` holds the lock must never lose its results.
    @Test func cleanNeverDeletesTheResultsOfARunThatStartsDuringIt() throws {
        let sandbox = try notebook()
        let binary = try #require(nbrunBinary)
        for round in 0..<3 {
            let slow = ["--set", "slow.steps=40", "--set", "slow.step-milliseconds=10"]
            let holder = try RunningNBRun(binary, ["Test.manifest", "--output", "o", "--force"] + slow, in: sandbox.url("nb"))
            try holder.waitForOutput(containing: "▶ slow")
            let clean = try RunningNBRun(binary, ["clean", "Test.manifest", "--output", "o"], in: sandbox.url("nb"))
            try clean.waitForOutput(containing: "waiting for another nbrun")
            let run = try RunningNBRun(binary, ["Test.manifest", "--output", "o"] + slow, in: sandbox.url("nb"))
            try run.waitForOutput(containing: "waiting for another nbrun")
            let results = [holder.finish(), clean.finish(), run.finish()]
            #expect(results.allSatisfy { $0.status == 0 }, "round \(round): \(results.map(\.output))")
            #expect(!results[2].output.contains("cannot write"), "\(results[2].output)")
            // Whichever of clean and run went second decides what is left; either way it is whole.
            if sandbox.exists("nb/o") {
                let status = try sandbox.nbrun(["status", "Test.manifest", "--output", "o"] + slow, in: "nb")
                #expect(status.output.split(separator: "\n").allSatisfy { $0.hasSuffix("fresh") }, "round \(round): \(status.output)")
                #expect(sandbox.exists("nb/o/report.md") && sandbox.exists("nb/o/.nbrun-output"))
            }
        }
    }

    /// Item 10: Ctrl-C while waiting for another run's lock stops at once and changes nothing.
    /// Runs hold the output lock only briefly now; the lock a run waits on for long is the
    /// variant another process is computing (the output lock's wait is LockTests').
    @Test func interruptWhileWaitingForTheLockExitsAtOnceAndChangesNothing() throws {
        let sandbox = try notebook()
        let binary = try #require(nbrunBinary)
        #expect(try sandbox.nbrun(["Test.manifest", "--output", "o"], in: "nb").status == 0)
        let slow = ["--set", "slow.steps=300", "--set", "slow.step-milliseconds=10"]
        let holder = try RunningNBRun(binary, ["Test.manifest", "--output", "o"] + slow, in: sandbox.url("nb"))
        try holder.waitForOutput(containing: "▶ slow")
        let waiter = try RunningNBRun(binary, ["Test.manifest", "--output", "o"] + slow, in: sandbox.url("nb"))
        try waiter.waitForOutput(containing: "waiting for another nbrun computing slow")
        let signalled = Date()
        waiter.signal(SIGINT)
        let stopped = waiter.finish()
        #expect(stopped.status == 130, "\(stopped.output)")
        #expect(stopped.output.contains("✗ slow interrupted while waiting for another nbrun computing it"), "\(stopped.output)")
        #expect(holder.process.isRunning, "the waiting run stopped before the holder finished")
        #expect(Date().timeIntervalSince(signalled) < 2.5)
        #expect(!stopped.output.contains("▶"), "the waiting run ran no stage")
        let finished = holder.finish()
        #expect(finished.status == 0, "\(finished.output)")
        let report = try String(contentsOf: sandbox.url("nb/o/report.md"), encoding: .utf8)
        #expect(!report.contains("This stage was interrupted") && !report.contains("Interrupted in this run"),
                "the holder's report stands")
        #expect(report.contains("waited 300 steps"), "it is the holder's report")
    }

    @Test func staleTemporaryReportFilesAreRemovedButNothingElse() throws {
        let sandbox = try notebook()
        #expect(try sandbox.nbrun(["Test.manifest", "--output", "o"], in: "nb").status == 0)
        try sandbox.file("nb/o/.report.md.Ab12Cd", "half a report")
        try sandbox.file("nb/o/.report.html.zz99ZZ", "half a page")
        try sandbox.link("nb/o/.report.md.LiNk01", to: "../../victim/a.txt")
        let run = try sandbox.nbrun(["Test.manifest", "--output", "o"], in: "nb")
        #expect(run.status == 0)
        #expect(run.output.contains("cleaned up after an earlier run: removed \(sandbox.url("nb/o/.report.md.Ab12Cd").path)"), "\(run.output)")
        #expect(!sandbox.exists("nb/o/.report.md.Ab12Cd") && !sandbox.exists("nb/o/.report.html.zz99ZZ"))
        #expect(sandbox.exists("nb/o/.report.md.LiNk01"), "a link is never nbrun's temporary file")
        #expect(try String(contentsOf: sandbox.url("victim/a.txt"), encoding: .utf8) == "a\n")
    }

    @Test func statusAfterACrashBetweenTheCommitRenamesReportsWhatTheNextRunRestores() throws {
        let sandbox = try notebook()
        #expect(try sandbox.nbrun(["Test.manifest", "--output", "o"], in: "nb").status == 0)
        // Killed after moving the old result aside, before moving the new one in.
        try sandbox.folder("nb/o/.trash")
        try FileManager.default.moveItem(at: sandbox.url("nb/o/generate"), to: sandbox.url("nb/o/.trash/generate-2147483645"))
        let status = try sandbox.nbrun(["status", "Test.manifest", "--output", "o"], in: "nb")
        #expect(status.output.contains("generate  fresh"), "\(status.output)")
        #expect(status.output.contains("note: generate: the next run restores \(sandbox.url("nb/o/.trash/generate-2147483645").path)"), "\(status.output)")
        #expect(!status.output.contains("never run"))
        let run = try sandbox.nbrun(["Test.manifest", "--output", "o"], in: "nb")
        #expect(run.output.contains("cached: generate, slow, words"), "\(run.output)")
    }

    @Test func negativeThreadCountIsExplained() throws {
        let sandbox = try notebook()
        let result = try sandbox.nbrun(["Test.manifest", "--threads", "-1"], in: "nb")
        #expect(result.status == 64)
        #expect(result.output.contains("--threads must be at least 1, got -1"), "\(result.output)")
        #expect(!result.output.contains("Missing value"))
    }
}
