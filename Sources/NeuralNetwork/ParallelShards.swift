import Dispatch

/// Runs independent shards of work on up to `threads` threads of Dispatch's persistent pool.
///
/// Shard i always does the same arithmetic whichever thread runs it, and callers combine
/// shard results in shard order afterwards, so results are bit-identical for any thread count.
enum ParallelShards {
    static func run(count: Int, threads: Int, _ body: (Int) -> Void) {
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

/// Carries a value into Dispatch's worker threads. Sound here because each shard touches
/// only its own workspace and output slice, and `run` returns only after every shard is done.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
