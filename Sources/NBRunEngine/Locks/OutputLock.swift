import Foundation

/// An advisory exclusive `flock` on `<output>/.lock`, held while a run claims, repairs and
/// plans the output folder and again while it swaps the stage folders and writes the report
/// (and for a whole `clean` or `gc`), so that two nbrun processes never change one
/// notebook's views at once. The lock file holds its holder's pid, for the waiting message.
public final class OutputLock: @unchecked Sendable {
    private let file: LockFile
    public let url: URL

    /// How often a waiting process retries the lock and checks for Ctrl-C.
    static let pollInterval: useconds_t = 50_000

    private init(file: LockFile, url: URL) {
        self.file = file
        self.url = url
    }

    /// Takes the lock. When another process holds it, either waits (calling `onWait` with
    /// the holder's pid first) or, with `wait == false`, throws `RunError.outputLocked`.
    public static func acquire(at url: URL, wait: Bool, onWait: (Int32?) -> Void) throws(RunError) -> OutputLock {
        // `prepare` always proceeds, so a lock always comes back.
        try acquire(at: url, wait: wait, cancellation: nil, prepare: { true }, onWait: onWait)!
    }

    /// Takes the lock as above. `prepare` runs before each attempt to open the lock file (it
    /// makes sure the output folder is nbrun's, creating it if needed) and again once the
    /// lock is held; when it returns false, nothing is locked and nil comes back. A waiting
    /// process whose `cancellation` is set (Ctrl-C) stops at once with `RunError.interrupted`,
    /// having changed nothing. `whenLocked` runs once the lock is held and `prepare` passed
    /// (a run marks the folder it claimed there); what it throws releases the lock.
    public static func acquire(
        at url: URL, wait: Bool, cancellation: CancellationFlag?,
        prepare: () throws(RunError) -> Bool, whenLocked: () throws(RunError) -> Void = {}, onWait: (Int32?) -> Void
    ) throws(RunError) -> OutputLock? {
        let folder = url.deletingLastPathComponent().path
        var announced = false
        while true {
            guard try prepare() else { return nil }
            let file: LockFile
            do { file = try LockFile(url.path, in: AT_FDCWD, path: url.path) } catch {
                // A run that failed before writing anything removed the folder it had created
                // just now: prepare again (which creates it anew).
                if FileKind.of(folder) == .missing { continue }
                throw error
            }
            if try !file.tryLock(.exclusive) {
                let holder = readPID(file.descriptor)
                guard wait else { throw .outputLocked(path: folder, pid: holder) }
                if !announced { onWait(holder) }
                announced = true
                try file.waitForLock(.exclusive, every: pollInterval, cancellation: cancellation, interruptedPath: folder)
            }
            // `nbrun clean` deletes the lock file while holding it; a lock taken on a
            // deleted file protects nothing, so start again with the current file.
            guard file.isStillLinked(name: url.path, in: AT_FDCWD) else { continue }
            let lock = OutputLock(file: file, url: url)
            guard try prepare() else { return nil }
            try whenLocked()
            let pid = Array("\(getpid())\n".utf8)
            _ = ftruncate(file.descriptor, 0)
            _ = pid.withUnsafeBytes { pwrite(file.descriptor, $0.baseAddress, $0.count, 0) }
            return lock
        }
    }

    private static func readPID(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 31, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    public func release() { file.release() }
}
