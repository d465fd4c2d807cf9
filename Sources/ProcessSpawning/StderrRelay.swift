import Foundation

/// Copies a child's standard error to ours as it comes, keeping its last `keep` bytes: the
/// worker's tail tells a crash's message, a watched run's tells the page why it failed.
public final class StderrRelay: @unchecked Sendable {
    public let descriptor: Int32
    public let finished = DispatchSemaphore(value: 0)
    private let keep: Int
    private let lock = NSLock()
    private var kept = Data()

    public init(descriptor: Int32, keep: Int) {
        self.descriptor = descriptor
        self.keep = keep
    }

    /// What was kept so far (safe to read while the relay runs).
    public var text: String {
        lock.lock(); defer { lock.unlock() }
        return String(decoding: kept, as: UTF8.self)
    }

    /// Relays until the child closes its end, then signals `finished`.
    public func relay() {
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = buffer.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            var offset = 0
            while offset < count {
                let written = buffer[offset..<count].withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
                if written < 0, errno == EINTR { continue }
                if written <= 0 { break }
                offset += written
            }
            lock.lock()
            kept.append(contentsOf: buffer[0..<count])
            if kept.count > keep { kept.removeFirst(kept.count - keep) }
            lock.unlock()
        }
        finished.signal()
    }
}
