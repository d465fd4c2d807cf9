import Foundation
import NBRunEngine
import NBRunTestSupport
import Testing

@Suite("The advisory lock keeps two runs on one output folder apart")
struct LockTests {
    func waitUntil(_ condition: () -> Bool, seconds: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return condition()
    }

    @Test func secondRunWaitsForTheLockHolder() throws {
        let notebook = try TestNotebook()
        try FileManager.default.createDirectory(at: notebook.output, withIntermediateDirectories: true)
        let held = try OutputLock.acquire(at: notebook.output.appendingPathComponent(".lock"), wait: false) { _ in }
        let finished = Box<Int32?>(nil)
        Thread {
            finished.value = (try? notebook.run())?.exitCode ?? -1
        }.start()
        #expect(waitUntil { notebook.console.text.contains("waiting for another nbrun on \(notebook.output.path) (pid \(getpid()))...") })
        Thread.sleep(forTimeInterval: 0.2)
        #expect(finished.value == nil, "must not run while the lock is held")
        #expect(!FileManager.default.fileExists(atPath: notebook.artifact("generate", "record.json").path))
        held.release()
        #expect(waitUntil { finished.value != nil })
        #expect(finished.value == 0)
    }

    @Test func noWaitFailsWithAClearMessage() throws {
        let notebook = try TestNotebook()
        try FileManager.default.createDirectory(at: notebook.output, withIntermediateDirectories: true)
        let held = try OutputLock.acquire(at: notebook.output.appendingPathComponent(".lock"), wait: false) { _ in }
        defer { held.release() }
        do {
            _ = try notebook.run { $0.waitForLock = false }
            Issue.record("expected outputLocked")
        } catch let error as RunError {
            #expect(error == .outputLocked(path: notebook.output.path, pid: getpid()))
            #expect(error.description.contains("another nbrun is running on \(notebook.output.path) (pid \(getpid()))"))
        }
    }

    @Test func twoConcurrentForcedRunsNeverComputeOneVariantTwiceAtOnce() throws {
        let manifest = """
            title: concurrent
            cells:
              - stage: slow
                kind: demo.slow
                parameters: {steps: 15, step-milliseconds: 10}
              - stage: generate
                kind: demo.generate
                parameters: {count: 500}
              - stage: square
                kind: demo.square
                reads: [generate]
            """
        let first = try TestNotebook(manifest)
        let secondConsole = Console.recording()
        let results = [Box<RunResult?>(nil), Box<RunResult?>(nil)]
        let runners = [first.runner, Runner(registry: first.registry, console: secondConsole)]
        let loaded = try first.load()
        let options = first.options { $0.force = true }
        for index in 0..<2 {
            let runner = runners[index], box = results[index]
            Thread { box.value = try? runner.run(loaded, options: options) }.start()
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(waitUntil { results.allSatisfy { $0.value != nil } })
        #expect(results.allSatisfy { $0.value?.exitCode == 0 })
        // Both are forced to compute the same variants: the variant locks keep each stage's two
        // computations apart in time (one ended before the other started).
        let intervals = results.map { box -> [String: (start: Date, end: Date)] in
            (box.value?.outcomes ?? [:]).compactMapValues { outcome -> (start: Date, end: Date)? in
                guard case .ranNow(let record) = outcome else { return nil }
                return (record.startedAt, record.startedAt.addingTimeInterval(record.durationSeconds))
            }
        }
        #expect(intervals.allSatisfy { $0.count == 3 }, "both runs execute all three stages (forced)")
        let tolerance = 0.002  // startedAt is wall-clock, durations come from a monotonic clock
        for stage in ["slow", "generate", "square"] {
            guard let one = intervals[0][stage], let two = intervals[1][stage] else { continue }
            #expect(one.end.timeIntervalSince(two.start) <= tolerance || two.end.timeIntervalSince(one.start) <= tolerance,
                    "\(stage) computed twice at once: \(one) and \(two)")
        }
        let store = ArtifactStore(outputDirectory: first.output)
        for stage in ["slow", "generate", "square"] {
            guard case .present(let record) = store.loadRecord(stage) else { Issue.record("\(stage) has no record"); continue }
            #expect(store.verify(record) == nil)
        }
        #expect(try first.status().values.allSatisfy { $0.freshness.isFresh })
    }

    @Test func cleanRemovesTheOutputFolder() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let report = try #require(try notebook.runner.clean(try notebook.load(), options: notebook.options()))
        #expect(report.removedFolder && report.leftovers.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: notebook.output.path))
        #expect(try notebook.runner.clean(try notebook.load(), options: notebook.options()) == nil)
    }
}

@Suite("The lock survives a clean that deletes it")
struct LockCleanTests {
    @Test func runWaitingDuringACleanTakesTheNewLockFile() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let lockURL = notebook.output.appendingPathComponent(".lock")
        let held = try OutputLock.acquire(at: lockURL, wait: false) { _ in }
        let finished = Box<Int32?>(nil)
        Thread { finished.value = (try? notebook.run())?.exitCode ?? -1 }.start()
        let deadline = Date().addingTimeInterval(10)
        while !notebook.console.text.contains("waiting for another nbrun"), Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        // What `nbrun clean` does while it holds the lock.
        try FileManager.default.removeItem(at: notebook.output)
        held.release()
        while finished.value == nil, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(finished.value == 0)
        #expect(FileManager.default.fileExists(atPath: lockURL.path))
        #expect(try notebook.status().values.allSatisfy { $0.freshness.isFresh })
        #expect(notebook.console.text.components(separatedBy: "waiting for another nbrun").count == 2)
    }
}
