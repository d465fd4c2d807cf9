import Foundation
@testable import NBRun
@testable import NBRunEngine
import NBRunTestSupport
import Testing

/// Issue 14, part 4: `clean` and `gc` never delete what a running nbrun is writing or about
/// to read. Real processes: a slow stage is computing while `gc --keep-last 0` or `clean` is
/// issued; they wait for it (or stop under `--no-wait`), and the run's results come out whole.
@Suite("clean and gc wait for running nbrun processes")
struct RunLockTests {
    static let manifest = """
        title: run lock
        cells:
          - stage: generate
            kind: demo.generate
            parameters: {count: 50}
          - stage: slow
            kind: demo.slow
            parameters: {steps: 3, step-milliseconds: 1}
            reads: [generate]
        """

    /// 40 steps of 50 ms: the checks below happen while the stage computes.
    static let slow = ["--set", "slow.steps=40", "--set", "slow.step-milliseconds=50"]

    func binary() throws -> URL {
        try #require(nbrunBinary, "no nbrun executable next to the test bundle: run `swift build --build-tests` before `swift test --skip-build`")
    }

    /// Every stage folder shows a whole variant, and it is the cached one.
    func expectWholeViews(_ output: URL, stages: [String], _ context: String) {
        let store = ArtifactStore(outputDirectory: output)
        for stage in stages {
            guard case .present(let record) = store.loadRecord(stage) else {
                Issue.record("\(context): \(stage)/ shows no result"); continue
            }
            #expect(store.verify(record) == nil, "\(context): \(stage)/")
            #expect(store.verify(record, in: store.cache.variantFolder(stage, fingerprint: record.fingerprint)) == nil,
                    "\(context): \(stage)'s cached variant")
        }
    }

    /// The run plans a new `generate` variant that no stage folder shows yet; `gc --keep-last 0`
    /// issued while `slow` computes would remove it (and the run could not show its results).
    /// gc waits for the run instead, then keeps what the run shows and removes the rest.
    @Test func gcWaitsForARunThenKeepsWhatItShows() throws {
        let binary = try binary()
        let notebook = try TestNotebook(Self.manifest)
        #expect(try RunningNBRun(binary, ["Test.manifest", "--output", "out"], in: notebook.folder).finish().status == 0)
        let cache = VariantCache(root: notebook.output.appendingPathComponent(".cache"))
        let before = Set(cache.fingerprints(of: "generate"))
        let run = try RunningNBRun(binary, ["Test.manifest", "--output", "out", "--set", "generate.count=60"] + Self.slow, in: notebook.folder)
        try run.waitForOutput(containing: "▶ slow")
        let gc = try RunningNBRun(binary, ["gc", "Test.manifest", "--output", "out", "--keep-last", "0"], in: notebook.folder)
        try gc.waitForOutput(containing: "waiting for another nbrun using the cache")
        #expect(run.process.isRunning && gc.process.isRunning)
        let refused = try RunningNBRun(binary, ["gc", "Test.manifest", "--output", "out", "--keep-last", "0", "--no-wait"],
                                       in: notebook.folder).finish()
        #expect(refused.status == 1, "\(refused.output)")
        // The first gc waits with the gate closed: a second one is told so.
        #expect(refused.output.contains("nbrun clean or gc is working on the cache \(cache.root.path); run again without --no-wait"),
                "\(refused.output)")
        let ran = run.finish(), collected = gc.finish()
        #expect(ran.status == 0, "\(ran.output)")
        #expect(!ran.output.contains("could not show"), "\(ran.output)")
        #expect(collected.status == 0, "\(collected.output)")
        expectWholeViews(notebook.output, stages: ["generate", "slow"], "after gc")
        let store = ArtifactStore(outputDirectory: notebook.output)
        guard case .present(let shown) = store.loadRecord("generate") else { Issue.record("no view of generate"); return }
        #expect(!before.contains(shown.fingerprint), "the view shows the run's new variant")
        #expect(cache.fingerprints(of: "generate") == [shown.fingerprint], "gc ran after the run and removed the older variant")
        let report = try String(contentsOf: notebook.output.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("waited 40 steps"))
        // All is cached and shown: nothing to compute.
        let again = try RunningNBRun(binary, ["Test.manifest", "--output", "out", "--set", "generate.count=60"] + Self.slow,
                                     in: notebook.folder).finish()
        #expect(again.status == 0 && !again.output.contains("▶ "), "\(again.output)")
    }

    /// `clean` issued while a stage computes waits for the run, which finishes whole (its
    /// report written); the clean then removes everything, as it would have done before.
    @Test func cleanWaitsForARunningStage() throws {
        let binary = try binary()
        let notebook = try TestNotebook(Self.manifest)
        let run = try RunningNBRun(binary, ["Test.manifest", "--output", "out"] + Self.slow, in: notebook.folder)
        try run.waitForOutput(containing: "▶ slow")
        let clean = try RunningNBRun(binary, ["clean", "Test.manifest", "--output", "out"], in: notebook.folder)
        try clean.waitForOutput(containing: "waiting for another nbrun using the cache")
        let refused = try RunningNBRun(binary, ["clean", "Test.manifest", "--output", "out", "--no-wait"], in: notebook.folder).finish()
        #expect(refused.status == 1 && refused.output.contains("run again without --no-wait"), "\(refused.output)")
        #expect(FileManager.default.fileExists(atPath: notebook.output.appendingPathComponent(".staging").path),
                "the running stage's staging folder is still there")
        #expect(run.process.isRunning, "clean did not stop the run")
        let ran = run.finish()
        #expect(ran.status == 0, "\(ran.output)")
        #expect(ran.output.contains("✓ slow") && ran.output.contains("report: "), "\(ran.output)")
        let cleaned = clean.finish()
        #expect(cleaned.status == 0, "\(cleaned.output)")
        #expect(!FileManager.default.fileExists(atPath: notebook.output.path), "clean removed the folder after the run: \(cleaned.output)")
    }

    /// A run starting while `clean` or `gc` holds the cache waits for it (or, with
    /// `--no-wait`, stops and says so), and Ctrl-C ends that wait at once, nothing changed.
    @Test func runWaitsForCleanOrGCAndCtrlCEndsTheWait() throws {
        let binary = try binary()
        let notebook = try TestNotebook(Self.manifest)
        #expect(try RunningNBRun(binary, ["Test.manifest", "--output", "out"], in: notebook.folder).finish().status == 0)
        // The output lock's file holds the pid of its last holder: the waiters take it briefly.
        func snapshot() -> FileTreeSnapshot { FileTreeSnapshot(of: notebook.output) { $0 == ".lock" } }
        let before = snapshot()
        let cacheRoot = notebook.output.appendingPathComponent(".cache")
        let held = try RunLock.acquire(cacheRoot: cacheRoot, exclusive: true, wait: false, cancellation: nil, onWait: {})
        let refused = try RunningNBRun(binary, ["Test.manifest", "--output", "out", "--no-wait", "--force"], in: notebook.folder).finish()
        #expect(refused.status == 1, "\(refused.output)")
        #expect(refused.output.contains("nbrun clean or gc is working on the cache \(cacheRoot.path); run again without --no-wait"),
                "\(refused.output)")
        let waiter = try RunningNBRun(binary, ["Test.manifest", "--output", "out", "--force"], in: notebook.folder)
        try waiter.waitForOutput(containing: "waiting for another nbrun (clean, gc or a run repairing it) on the cache \(cacheRoot.path)")
        let signalled = Date()
        waiter.signal(SIGINT)
        let stopped = waiter.finish()
        #expect(stopped.status == 130, "\(stopped.output)")
        #expect(Date().timeIntervalSince(signalled) < 2.5)
        #expect(!stopped.output.contains("▶"), "\(stopped.output)")
        #expect(snapshot() == before, "neither run changed anything")
        // Released: a run waiting proceeds.
        let third = try RunningNBRun(binary, ["Test.manifest", "--output", "out", "--force"], in: notebook.folder)
        try third.waitForOutput(containing: "waiting for another nbrun (clean, gc or a run repairing it)")
        held.release()
        let finished = third.finish()
        #expect(finished.status == 0 && finished.output.contains("▶ slow"), "\(finished.output)")
    }

    /// `flock` does not queue: with runs overlapping one after another, some run always holds
    /// the run lock shared, and a `gc` waiting for it exclusive would never get it. A run
    /// starting while `gc` waits queues behind the `gc` instead; the run already computing
    /// finishes first, whole.
    @Test func aRunStartingWhileGCWaitsQueuesBehindIt() throws {
        let binary = try binary()
        let notebook = try TestNotebook(Self.manifest)
        let longer = ["--set", "slow.steps=200", "--set", "slow.step-milliseconds=50"]
        let first = try RunningNBRun(binary, ["Test.manifest", "--output", "out"] + longer, in: notebook.folder)
        try first.waitForOutput(containing: "▶ slow")
        let gc = try RunningNBRun(binary, ["gc", "Test.manifest", "--output", "out", "--keep-last", "0"], in: notebook.folder)
        try gc.waitForOutput(containing: "waiting for another nbrun using the cache")
        let second = try RunningNBRun(binary, ["Test.manifest", "--output", "out", "--set", "generate.count=70"], in: notebook.folder)
        try second.waitForOutput(containing: "waiting for another nbrun (clean, gc or a run repairing it) on the cache")
        #expect(first.process.isRunning, "the first run ended before the second one started: nothing was checked")
        #expect(!second.output.contains("▶"), "\(second.output)")
        let firstDone = first.finish(), collected = gc.finish()
        #expect(firstDone.status == 0, "\(firstDone.output)")
        #expect(collected.status == 0, "\(collected.output)")
        let secondDone = second.finish()
        #expect(secondDone.status == 0 && secondDone.output.contains("▶ generate"), "\(secondDone.output)")
        expectWholeViews(notebook.output, stages: ["generate", "slow"], "after both runs and gc")
    }

    /// The run lock is opened like the others: a link or FIFO planted at it is refused by name.
    @Test func aLinkOrFIFOAtTheRunLockIsRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("runlock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent(".cache/locks"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let cacheRoot = folder.appendingPathComponent(".cache")
        let lockPath = RunLock.url(cacheRoot: cacheRoot).path
        let victim = folder.appendingPathComponent("victim.txt")
        try Data("keep".utf8).write(to: victim)
        try FileManager.default.createSymbolicLink(atPath: lockPath, withDestinationPath: victim.path)
        #expect(throws: RunError.storage(.unexpectedEntry(path: lockPath, kind: FileKind.symbolicLink.description, expected: "its lock file"))) {
            _ = try RunLock.acquire(cacheRoot: cacheRoot, exclusive: false, wait: false, cancellation: nil, onWait: {})
        }
        #expect(try String(contentsOf: victim, encoding: .utf8) == "keep")
        try FileManager.default.removeItem(atPath: lockPath)
        #expect(mkfifo(lockPath, 0o644) == 0)
        #expect(throws: RunError.storage(.unexpectedEntry(path: lockPath, kind: FileKind.of(lockPath).description, expected: "its lock file"))) {
            _ = try RunLock.acquire(cacheRoot: cacheRoot, exclusive: true, wait: false, cancellation: nil, onWait: {})
        }
        try FileManager.default.removeItem(atPath: lockPath)
        // Shared holders do not exclude each other; an exclusive one excludes both kinds.
        let first = try RunLock.acquire(cacheRoot: cacheRoot, exclusive: false, wait: false, cancellation: nil, onWait: {})
        let second = try RunLock.acquire(cacheRoot: cacheRoot, exclusive: false, wait: false, cancellation: nil, onWait: {})
        #expect(throws: RunError.cacheBusy(path: cacheRoot.path, byCleanOrGC: false)) {
            _ = try RunLock.acquire(cacheRoot: cacheRoot, exclusive: true, wait: false, cancellation: nil, onWait: {})
        }
        first.release(); second.release()
        let exclusive = try RunLock.acquire(cacheRoot: cacheRoot, exclusive: true, wait: false, cancellation: nil, onWait: {})
        #expect(throws: RunError.cacheBusy(path: cacheRoot.path, byCleanOrGC: true)) {
            _ = try RunLock.acquire(cacheRoot: cacheRoot, exclusive: false, wait: false, cancellation: nil, onWait: {})
        }
        exclusive.release()
        // So is the gate that `clean` and `gc` close while they wait.
        let gatePath = cacheRoot.appendingPathComponent("locks/gate.lock").path
        try FileManager.default.removeItem(atPath: gatePath)
        try FileManager.default.createSymbolicLink(atPath: gatePath, withDestinationPath: victim.path)
        #expect(throws: RunError.storage(.unexpectedEntry(path: gatePath, kind: FileKind.symbolicLink.description, expected: "its lock file"))) {
            _ = try RunLock.acquire(cacheRoot: cacheRoot, exclusive: true, wait: false, cancellation: nil, onWait: {})
        }
        #expect(throws: RunError.storage(.unexpectedEntry(path: gatePath, kind: FileKind.symbolicLink.description, expected: "its lock file"))) {
            _ = try RunLock.tryShared(cacheRoot: cacheRoot, whileAlone: {})
        }
        #expect(try String(contentsOf: victim, encoding: .utf8) == "keep")
    }

    /// A link planted at the cache's `locks` folder: runs refuse the cache by name, and so no
    /// run can hold the run lock; `clean` still removes what nbrun wrote, never the target.
    @Test func cleanWithALinkAtTheLocksFolderRemovesTheRestNotTheTarget() throws {
        let binary = try binary()
        let notebook = try TestNotebook(Self.manifest)
        #expect(try RunningNBRun(binary, ["Test.manifest", "--output", "out"], in: notebook.folder).finish().status == 0)
        let victim = notebook.folder.appendingPathComponent("victim", isDirectory: true)
        try FileManager.default.createDirectory(at: victim, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: victim.appendingPathComponent("run.lock"))
        let locks = notebook.output.appendingPathComponent(".cache/locks")
        try FileManager.default.removeItem(at: locks)
        try FileManager.default.createSymbolicLink(at: locks, withDestinationURL: victim)
        let before = FileTreeSnapshot(of: victim)
        let run = try RunningNBRun(binary, ["Test.manifest", "--output", "out", "--force"], in: notebook.folder).finish()
        #expect(run.status == 1 && run.output.contains("\(locks.path) is a symbolic link"), "\(run.output)")
        let clean = try RunningNBRun(binary, ["clean", "Test.manifest", "--output", "out"], in: notebook.folder).finish()
        #expect(clean.status == 0, "\(clean.output)")
        #expect(!FileManager.default.fileExists(atPath: notebook.output.path), "\(clean.output)")
        #expect(FileTreeSnapshot(of: victim) == before)
    }
}
