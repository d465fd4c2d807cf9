import Foundation
import NBRunTestSupport
import Testing

/// End-to-end checks through the real `nbrun` executable: exit codes, Ctrl-C, SIGKILL
/// mid-stage, and two processes on one output folder. They fail, rather than skip, when
/// the executable was not built: `swift test --skip-build` needs `swift build --build-tests`.
@Suite("The nbrun executable")
struct ProcessTests {
    static let manifest = """
        title: processes
        cells:
          - stage: generate
            kind: demo.generate
          - stage: slow
            kind: demo.slow
            parameters: {steps: 3, step-milliseconds: 1}
            reads: [generate]
        """

    func binary() throws -> URL {
        try #require(nbrunBinary, "no nbrun executable next to the test bundle: run `swift build --build-tests` before `swift test --skip-build`")
    }

    func start(_ arguments: [String], in notebook: TestNotebook) throws -> RunningNBRun {
        try RunningNBRun(binary(), arguments, in: notebook.folder)
    }

    func run(_ arguments: [String], in notebook: TestNotebook) throws -> (status: Int32, output: String) {
        try start(arguments, in: notebook).finish()
    }

    @Test func runStatusWhyCleanAndExitCodes() throws {
        let notebook = try TestNotebook(Self.manifest)
        let first = try run(["Test.manifest"], in: notebook)
        #expect(first.status == 0, "\(first.output)")
        #expect(FileManager.default.fileExists(atPath: notebook.folder.appendingPathComponent("output/Test/report.md").path))
        let status = try run(["status", "Test.manifest", "--set", "generate.count=3"], in: notebook)
        #expect(status.output.contains("generate  stale: parameter count changed: 10 → 3"))
        #expect(status.output.contains("slow      stale: upstream stage generate changed"))
        let why = try run(["why", "Test.manifest", "generate", "--set", "generate.seed=1"], in: notebook)
        #expect(why.output.contains("generate (demo.generate): would rerun\n  - parameter seed changed: 0 → 1\n  cached run: "),
                "\(why.output)")
        let whySlow = try run(["why", "Test.manifest", "slow", "--set", "generate.count=3"], in: notebook)
        #expect(whySlow.output.contains("slow (demo.slow): would rerun\n"
            + "  - upstream stage generate changed (generate: parameter count changed: 10 → 3)\n  cached run: "), "\(whySlow.output)")
        #expect(whySlow.output.contains(", took ") && whySlow.output.contains(", peak memory "), "\(whySlow.output)")
        let whyFresh = try run(["why", "Test.manifest", "slow"], in: notebook)
        #expect(whyFresh.output.hasPrefix("slow (demo.slow): fresh\n  nothing changed since its cached run\n  cached run: "),
                "\(whyFresh.output)")
        let bad = try run(["Test.manifest", "--set", "generate.count=zero"], in: notebook)
        #expect(bad.status == 2)
        #expect(bad.output.contains("nbrun: error: --set generate.count=zero: parameter 'generate.count' expects integer"))
        let outOfRange = try run(["Test.manifest", "--set", "slow.steps=-1"], in: notebook)
        #expect(outOfRange.status == 2, "a manifest error is a usage error")
        #expect(outOfRange.output.contains("is out of range"), "\(outOfRange.output)")
        let clean = try run(["clean", "Test.manifest"], in: notebook)
        #expect(clean.status == 0)
        #expect(!FileManager.default.fileExists(atPath: notebook.folder.appendingPathComponent("output/Test").path))
    }

    @Test func throwingStageExitsWith1AndStillWritesTheReport() throws {
        let notebook = try TestNotebook("""
            title: failing
            cells:
              - stage: fail
                kind: demo.fail
                parameters: {should-fail: true, message: boom}
              - stage: after
                kind: demo.generate
            """)
        let result = try run(["Test.manifest"], in: notebook)
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("✗ fail failed: failure requested by parameter should-fail: boom"), "\(result.output)")
        let report = notebook.folder.appendingPathComponent("output/Test/report.md")
        #expect(FileManager.default.fileExists(atPath: report.path))
        #expect(!FileManager.default.fileExists(atPath: notebook.folder.appendingPathComponent("output/Test/after").path),
                "without --keep-going nothing runs after the failure")
    }

    @Test func interruptStopsTheStageKeepsTheOldResultAndExits130() throws {
        let notebook = try TestNotebook(Self.manifest)
        #expect(try run(["Test.manifest"], in: notebook).status == 0)
        let running = try start(["Test.manifest", "--set", "slow.steps=5000"], in: notebook)
        try running.waitForOutput(containing: "  slow: ")  // a progress line: the stage is in its loop
        running.signal(SIGINT)
        let (status, output) = running.finish()
        #expect(status == 130, "\(output)")
        #expect(output.contains("interrupt received"))
        let steps = notebook.folder.appendingPathComponent("output/Test/slow/steps.txt")
        #expect(try String(contentsOf: steps, encoding: .utf8) == "3\n")
    }

    @Test func killedRunLeavesTheOldResultAndIsCleanedUpNextTime() throws {
        let notebook = try TestNotebook(Self.manifest)
        #expect(try run(["Test.manifest"], in: notebook).status == 0)
        let running = try start(["Test.manifest", "--set", "slow.steps=5000"], in: notebook)
        try running.waitForOutput(containing: "  slow: ")  // past staging: the stage is in its loop
        running.signal(SIGKILL)
        _ = running.finish()
        let output = notebook.folder.appendingPathComponent("output/Test")
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(".staging").path))
        let next = try run(["Test.manifest"], in: notebook)
        #expect(next.status == 0)
        #expect(next.output.contains("cleaned up after an earlier run"))
        #expect(next.output.contains("cached: generate, slow"))
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent(".staging").path))
    }

    @Test func secondProcessWaitsOrStopsWithNoWait() throws {
        let notebook = try TestNotebook(Self.manifest)
        // 300 steps of 20 ms: long enough that the checks below happen while it computes slow.
        let slow = ["--set", "slow.steps=300", "--set", "slow.step-milliseconds=20"]
        let first = try start(["Test.manifest"] + slow, in: notebook)
        try first.waitForOutput(containing: "▶ slow")
        // The same variant: another process computes it, so --no-wait stops, naming it.
        let refused = try run(["Test.manifest", "--no-wait"] + slow, in: notebook)
        #expect(refused.status == 1, "\(refused.output)")
        #expect(refused.output.contains("another nbrun is computing slow ("), "\(refused.output)")
        #expect(refused.output.contains("run again without --no-wait to wait for it and reuse its result"), "\(refused.output)")
        #expect(!refused.output.contains("▶ slow"))
        let second = try run(["Test.manifest"] + slow, in: notebook)
        let firstResult = first.finish()
        #expect(firstResult.status == 0, "\(firstResult.output)")
        #expect(second.status == 0)
        #expect(second.output.contains("waiting for another nbrun computing slow"), "\(second.output)")
        #expect(second.output.contains("cached: generate, slow"), "the second run finds the first one's complete results")
    }

    /// The folder a run works in (its working folder, notebook and output) deleted while a
    /// stage computes: the run ends with an error and exit 1, not a hang. It used to spin
    /// for ever at its end, walking up a path that, with no working folder, never reached `/`.
    @Test func aRunWhoseFolderIsDeletedMidStageEndsWithAnError() throws {
        let notebook = try TestNotebook(Self.manifest)
        let work = notebook.folder.appendingPathComponent("work", isDirectory: true)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: notebook.manifestURL, to: work.appendingPathComponent("Test.manifest"))
        let run = try RunningNBRun(binary(), ["Test.manifest", "--output", "out", "--set", "slow.steps=100", "--set", "slow.step-milliseconds=50"],
                                   in: work, logFolder: notebook.folder)
        try run.waitForOutput(containing: "▶ slow")
        // As `rm -rf` would, again while the run still creates entries in it.
        for _ in 0..<100 where FileManager.default.fileExists(atPath: work.path) {
            try? FileManager.default.removeItem(at: work)
            if FileManager.default.fileExists(atPath: work.path) { usleep(10_000) }
        }
        #expect(!FileManager.default.fileExists(atPath: work.path), "the folder could not be deleted")
        #expect(run.ended(within: 60), "the run did not end within 60 s of its folder being deleted:\n\(run.output)")
        #expect(run.process.terminationStatus == 1, "\(run.output)")
        #expect(run.output.contains("✗ slow failed"), "\(run.output)")
    }

    /// Started in a folder that no longer exists: a relative path is refused by name, with
    /// what to do, before anything is read or written; absolute paths still work.
    @Test func aDeletedWorkingFolderRefusesRelativePaths() throws {
        let notebook = try TestNotebook(Self.manifest)
        let gone = notebook.folder.appendingPathComponent("gone").path
        func run(_ arguments: String) throws -> (status: Int32, output: String) {
            let log = notebook.folder.appendingPathComponent("gone.log")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "mkdir '\(gone)' && cd '\(gone)' && rmdir '\(gone)' && exec '\(try binary().path)' \(arguments) >'\(log.path)' 2>&1"]
            try process.run()
            process.waitUntilExit()
            return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }
        let relative = try run("'\(notebook.manifestURL.path)' --output out")
        #expect(relative.status == 64, "\(relative.output)")
        #expect(relative.output.contains("the current folder no longer exists (it was deleted or moved), so 'out' names nothing"),
                "\(relative.output)")
        let absolute = try run("'\(notebook.manifestURL.path)' --output '\(notebook.output.path)'")
        #expect(absolute.status == 0 && absolute.output.contains("✓ slow"), "\(absolute.output)")
    }

    /// Started with SIGTERM and SIGINT blocked (as `Process` children of a parent that blocks
    /// them are): `kill` still stops nbrun. Before, such an nbrun ran on until SIGKILL.
    @Test func signalsBlockedByTheParentStillReachNBRun() throws {
        let notebook = try TestNotebook(Self.manifest)
        let log = notebook.folder.appendingPathComponent("blocked.log")
        let pid = try DirectSpawn.start(try binary().path, [notebook.manifestURL.path, "--output", notebook.output.path,
                                                            "--set", "slow.steps=400", "--set", "slow.step-milliseconds=50"],
                                        log: log, blocked: [SIGTERM, SIGINT])
        func output() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        var status: Int32 = 0
        var deadline = Date().addingTimeInterval(60)
        while !output().contains("▶ slow") && waitpid(pid, &status, WNOHANG) == 0 && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        try #require(output().contains("▶ slow"), "\(output())")
        kill(pid, SIGTERM)
        deadline = Date().addingTimeInterval(10)
        var ended = false
        while !ended && Date() < deadline {
            ended = waitpid(pid, &status, WNOHANG) == pid
            if !ended { Thread.sleep(forTimeInterval: 0.02) }
        }
        if !ended { kill(pid, SIGKILL); _ = DirectSpawn.wait(pid) }
        #expect(ended, "SIGTERM did not stop nbrun within 10 s:\n\(output())")
        #expect(!ended || DirectSpawn.exitStatus(status) == 128 + SIGTERM, "\(status): \(output())")
    }
}
