import Foundation

/// An advisory `flock` on `<output>/.lock`, held for a whole run (and a whole `clean`), so
/// two nbrun processes never interleave writes to one notebook's outputs.
///
/// The lock file is opened with `O_NOFOLLOW | O_NONBLOCK` and must be a regular file: a link
/// planted at `.lock` would otherwise have its target truncated and a pid written into it.
public final class OutputLock: @unchecked Sendable {
    private var descriptor: Int32
    public let url: URL

    /// How often a waiting process retries the lock and checks for Ctrl-C.
    static let pollInterval: useconds_t = 50_000

    private init(descriptor: Int32, url: URL) {
        self.descriptor = descriptor
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
    /// having changed nothing.
    public static func acquire(
        at url: URL, wait: Bool, cancellation: CancellationFlag?,
        prepare: () throws(RunError) -> Bool, onWait: (Int32?) -> Void
    ) throws(RunError) -> OutputLock? {
        var announced = false
        while true {
            guard try prepare() else { return nil }
            let descriptor = try lockedDescriptor(at: url, wait: wait, cancellation: cancellation) { holder in
                if !announced { onWait(holder) }
                announced = true
            }
            // `nbrun clean` deletes the lock file while holding it; a lock taken on a
            // deleted file protects nothing, so start again with the current file.
            if isStillLinked(descriptor, at: url) {
                let lock = OutputLock(descriptor: descriptor, url: url)
                guard try prepare() else { return nil }
                let pid = Array("\(getpid())\n".utf8)
                _ = ftruncate(descriptor, 0)
                _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
                return lock
            }
            close(descriptor)
        }
    }

    private static func lockedDescriptor(
        at url: URL, wait: Bool, cancellation: CancellationFlag?, onWait: (Int32?) -> Void
    ) throws(RunError) -> Int32 {
        let descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o644)
        guard descriptor >= 0 else {
            if errno == ELOOP {
                throw .storage(.unexpectedEntry(path: url.path, kind: FileKind.symbolicLink.description, expected: "its lock file"))
            }
            throw .storage(.cannotWrite(path: url.path, reason: String(cString: strerror(errno))))
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, case .regular = FileKind(info) else {
            close(descriptor)
            throw .storage(.unexpectedEntry(path: url.path, kind: FileKind(info).description, expected: "its lock file"))
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { return descriptor }
        guard errno == EWOULDBLOCK else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw .storage(.cannotWrite(path: url.path, reason: "cannot lock: \(reason)"))
        }
        let holder = readPID(descriptor)
        guard wait else {
            close(descriptor)
            throw .outputLocked(path: url.deletingLastPathComponent().path, pid: holder)
        }
        onWait(holder)
        // Polled rather than blocking in flock, so that Ctrl-C ends the wait at once.
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw .storage(.cannotWrite(path: url.path, reason: "cannot lock: \(reason)"))
            }
            if cancellation?.isCancelled == true {
                close(descriptor)
                throw .interrupted(path: url.deletingLastPathComponent().path)
            }
            usleep(pollInterval)
        }
        return descriptor
    }

    private static func isStillLinked(_ descriptor: Int32, at url: URL) -> Bool {
        var opened = stat(), current = stat()
        guard fstat(descriptor, &opened) == 0, lstat(url.path, &current) == 0 else { return false }
        return opened.st_ino == current.st_ino && opened.st_dev == current.st_dev
    }

    private static func readPID(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 31, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
