import Foundation

/// An advisory `flock` on `<cache>/locks/run.lock` that keeps `clean` and `gc` from deleting
/// what a running nbrun is writing or about to read: every run holds it shared for its whole
/// life (so runs never wait for each other here), `clean` and `gc` hold it exclusive.
///
/// Runs do not hold the output folder's lock while they compute (other variants of the
/// notebook proceed meanwhile), and a run's plan names cached variants it reads later,
/// staging folders and checkpoints it writes meanwhile; the output lock alone would let `gc`
/// remove such a variant, or `clean` the whole cache, in the middle. It sits in the cache because that is what several output folders may share
/// (`RunOptions.cacheDirectory`). `run.lock` cannot collide with a stage's lock folder:
/// stage names hold no '.'.
///
/// `flock` does not queue: while runs overlap, one always holds `run.lock` shared, and a
/// `clean` or `gc` waiting for it exclusive would wait for ever. So they first take
/// `locks/gate.lock` exclusive and hold it while they wait, and a starting run must get
/// that gate shared (only tried, never waited for, under the output lock): runs that
/// started before go on to their end, runs starting later queue behind the `clean` or `gc`.
public final class RunLock: @unchecked Sendable {
    private let file: LockFile
    public let url: URL

    /// How often a waiting process retries the lock and checks for Ctrl-C.
    static let pollInterval: useconds_t = 50_000
    static let fileName = "run.lock"
    static let gateName = "gate.lock"

    private init(file: LockFile, url: URL) {
        self.file = file
        self.url = url
    }

    public static func url(cacheRoot: URL) -> URL {
        locksFolder(cacheRoot: cacheRoot).appendingPathComponent(fileName)
    }

    static func locksFolder(cacheRoot: URL) -> URL {
        cacheRoot.appendingPathComponent("locks", isDirectory: true)
    }

    /// Takes the lock, shared for a run or exclusive for `clean` and `gc`, creating the cache
    /// folders as needed. When a conflicting holder has it, calls `onWait` once and waits
    /// (Ctrl-C ends the wait with `RunError.interrupted`), or with `wait == false` throws
    /// `RunError.cacheBusy`.
    public static func acquire(
        cacheRoot: URL, exclusive: Bool, wait: Bool, cancellation: CancellationFlag?, onWait: () -> Void
    ) throws(RunError) -> RunLock {
        let mode: LockFile.Mode = exclusive ? .exclusive : .shared
        var announced = false
        // Held until the run lock is: runs starting meanwhile wait at the gate.
        let gate = exclusive ? try take(gateName, .exclusive, cacheRoot: cacheRoot, wait: wait, cancellation: cancellation,
                                        busy: .cacheBusy(path: cacheRoot.path, byCleanOrGC: true),
                                        announced: &announced, onWait: onWait) : nil
        defer { gate?.release() }
        let file = try take(fileName, mode, cacheRoot: cacheRoot, wait: wait, cancellation: cancellation,
                            busy: .cacheBusy(path: cacheRoot.path, byCleanOrGC: !exclusive), announced: &announced, onWait: onWait)
        return RunLock(file: file, url: url(cacheRoot: cacheRoot))
    }

    /// `locks/<name>` in `mode`: waited for (announced once through `onWait`), or `busy`
    /// thrown without `wait`, and taken again on the current file when a `clean`, which
    /// removes the cache with this file in it, unlinked the one waited on.
    private static func take(_ name: String, _ mode: LockFile.Mode, cacheRoot: URL, wait: Bool, cancellation: CancellationFlag?,
                             busy: RunError, announced: inout Bool, onWait: () -> Void) throws(RunError) -> LockFile {
        let path = locksFolder(cacheRoot: cacheRoot).appendingPathComponent(name).path
        while true {
            let folder = try LockFile.openFolders([cacheRoot.path, "locks"])
            defer { close(folder) }
            let file = try LockFile(name, in: folder, path: path)
            if try !file.tryLock(mode) {
                guard wait else { throw busy }
                if !announced { onWait() }
                announced = true
                try file.waitForLock(mode, every: pollInterval, cancellation: cancellation, interruptedPath: cacheRoot.path)
            }
            if file.isStillLinked(name: name, in: folder) { return file }
        }
    }

    /// What a run's one attempt at the shared lock found.
    enum SharedAttempt {
        case held(RunLock)
        /// A `clean` or `gc` holds it, or waits for it with the gate closed: the file (the run
        /// lock or the gate) to wait on once the output lock is released.
        case busy(LockFile)
    }

    /// One attempt at the shared lock, for a run that holds the output lock and so must not
    /// wait here: a `clean` or `gc` holding this lock exclusive waits for the output lock.
    /// When no other process holds it at all, it is first taken exclusive and `whileAlone`
    /// runs: what nbrun left in the cache then can only be a dead process's, on whichever
    /// machine (pids of other machines sharing the cache mean nothing here).
    static func tryShared(cacheRoot: URL, whileAlone: () -> Void) throws(RunError) -> SharedAttempt {
        let url = url(cacheRoot: cacheRoot)
        let folder = try LockFile.openFolders([cacheRoot.path, "locks"])
        defer { close(folder) }
        // A `clean` or `gc` waiting for the run lock closed the gate: queue behind it.
        let gate = try LockFile(gateName, in: folder, path: locksFolder(cacheRoot: cacheRoot).appendingPathComponent(gateName).path)
        guard try gate.tryLock(.shared) else { return .busy(gate) }
        defer { gate.release() }
        let file = try LockFile(fileName, in: folder, path: url.path)
        if try file.tryLock(.exclusive) {
            // Unlinked by a `clean` that just finished: the caller's next attempt opens the new one.
            guard file.isStillLinked(name: fileName, in: folder) else { return .busy(file) }
            whileAlone()
            // Converting is not atomic: a `clean` may take it in between, and is then waited for.
            guard try file.tryLock(.shared) else { return .busy(file) }
            return .held(RunLock(file: file, url: url))
        }
        guard try file.tryLock(.shared), file.isStillLinked(name: fileName, in: folder) else { return .busy(file) }
        return .held(RunLock(file: file, url: url))
    }

    /// True when no other process holds this lock: the shared hold is converted to exclusive,
    /// which succeeds only then (and stays exclusive until released).
    func isHeldAlone() -> Bool {
        (try? file.tryLock(.exclusive)) == true
    }

    public func release() { file.release() }
}
