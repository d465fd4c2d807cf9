import Foundation

/// The "please stop" flag stages poll between batches.
public final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    public init() {}

    public var isCancelled: Bool {
        lock.lock(); defer { lock.unlock() }
        return cancelled
    }

    public func cancel() {
        lock.lock(); defer { lock.unlock() }
        cancelled = true
    }
}
