import Dispatch
import Foundation

/// Runs independent shards of work on up to `threads` threads of Dispatch's persistent pool.
///
/// Shard i always does the same arithmetic whichever thread runs it, and callers combine
/// shard results in shard order afterwards, so results are bit-identical for any thread count.
enum ParallelShards {
    /// More workers than this only add dispatch overhead (the machine has far fewer cores),
    /// so a request like `--threads 1000` runs on this many.
    static let maximumThreads = 64

    /// `threads` limited to 1...maximumThreads.
    static func clampedThreads(_ threads: Int) -> Int {
        min(max(threads, 1), maximumThreads)
    }

    static func run(count: Int, threads: Int, _ body: (Int) -> Void) {
        let threads = clampedThreads(threads)
        if threads <= 1 || count <= 1 {
            for shard in 0..<count { body(shard) }
            return
        }
        let workers = min(threads, count)
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var shard = worker
                while shard < count {
                    box.value(shard)
                    shard += workers
                }
            }
        }
    }
}

extension ParallelShards {
    /// Runs `count` shards on `threads` workers that take the next unclaimed shard when they
    /// finish one, so a worker the OS deschedules on a busy machine does not hold up the
    /// rest. `body(worker, shard)`: the worker index selects per-thread scratch space; the
    /// result of a shard must depend only on the shard.
    static func runDynamically(count: Int, threads: Int, _ body: (_ worker: Int, _ shard: Int) -> Void) {
        let workers = max(1, min(clampedThreads(threads), count))
        let counter = ShardCounter()
        run(count: workers, threads: workers) { worker in
            while true {
                let shard = counter.next()
                guard shard < count else { return }
                body(worker, shard)
            }
        }
    }
}

/// Hands out 0, 1, 2, … to concurrent callers.
private final class ShardCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value - 1
    }
}

/// Carries a value into Dispatch's worker threads. Sound here because each shard touches
/// only its own workspace and output slice, and `run` returns only after every shard is done.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
