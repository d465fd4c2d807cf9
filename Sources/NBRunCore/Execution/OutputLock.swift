import Foundation

/// An advisory `flock` on `<output>/.lock`, held for a whole run, so two nbrun processes
/// never interleave writes to one notebook's outputs.
public final class OutputLock: @unchecked Sendable {
    private var descriptor: Int32
    public let url: URL

    private init(descriptor: Int32, url: URL) {
        self.descriptor = descriptor
        self.url = url
    }

    /// Takes the lock. When another process holds it, either waits (calling `onWait` with
    /// the holder's pid first) or, with `wait == false`, throws `RunError.outputLocked`.
    public static func acquire(at url: URL, wait: Bool, onWait: (Int32?) -> Void) throws(RunError) -> OutputLock {
        var announced = false
        while true {
            let descriptor = try lockedDescriptor(at: url, wait: wait) { holder in
                if !announced { onWait(holder) }
                announced = true
            }
            // `nbrun clean` deletes the lock file while holding it; a lock taken on a
            // deleted file protects nothing, so start again with the current file.
            if isStillLinked(descriptor, at: url) {
                let pid = Array("\(getpid())\n".utf8)
                _ = ftruncate(descriptor, 0)
                _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
                return OutputLock(descriptor: descriptor, url: url)
            }
            close(descriptor)
            try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        }
    }

    private static func lockedDescriptor(at url: URL, wait: Bool, onWait: (Int32?) -> Void) throws(RunError) -> Int32 {
        let descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .storage(.cannotWrite(path: url.path, reason: String(cString: strerror(errno))))
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
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw .storage(.cannotWrite(path: url.path, reason: "cannot lock: \(reason)"))
            }
        }
        return descriptor
    }

    private static func isStillLinked(_ descriptor: Int32, at url: URL) -> Bool {
        var opened = stat(), current = stat()
        guard fstat(descriptor, &opened) == 0, stat(url.path, &current) == 0 else { return false }
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
