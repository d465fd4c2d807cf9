import Foundation

/// A fixed set of threads that run one body together, for passes whose threads wait for
/// each other at a `StepBarrier`.
///
/// Why not Dispatch's `concurrentPerform`: it promises no concurrency. On a busy machine it
/// may run both iterations one after the other on the calling thread, which is harmless
/// for independent shards but deadlocks a body that waits at a barrier for its partner.
/// Here worker 0 is the caller and workers 1… are threads this team started and keeps, so
/// every member really runs, and no thread is created per step.
final class ThreadTeam: @unchecked Sendable {
    let size: Int
    /// Shared with the threads; the team's `deinit` tells them to stop.
    private let state: State

    init(size: Int) {
        precondition(size > 0, "a team needs at least one thread")
        self.size = size
        state = State()
        for worker in 1..<size {
            let state = state
            let thread = Thread { state.serve(worker: worker) }
            thread.name = "nbrun.team.\(worker)"
            thread.start()
        }
    }

    deinit { state.stop() }

    /// Runs `body(worker)` once on every member, worker 0 on the caller, and returns when
    /// all have finished. Not reentrant: one body at a time.
    func run(_ body: (_ worker: Int) -> Void) {
        if size == 1 { return body(0) }
        withoutActuallyEscaping(body) { body in
            state.start(body, helpers: size - 1)
            body(0)
            state.waitForHelpers()
        }
    }

    private final class State: @unchecked Sendable {
        private let condition = NSCondition()
        private var job: ((Int) -> Void)?
        private var round = 0
        private var pending = 0
        private var stopping = false

        func start(_ body: @escaping (Int) -> Void, helpers: Int) {
            condition.lock()
            job = body
            pending = helpers
            round += 1
            condition.broadcast()
            condition.unlock()
        }

        func waitForHelpers() {
            condition.lock()
            while pending > 0 { condition.wait() }
            // Drop the body before `withoutActuallyEscaping` checks it did not escape.
            job = nil
            condition.unlock()
        }

        func serve(worker: Int) {
            var seen = 0
            condition.lock()
            while true {
                while round == seen && !stopping { condition.wait() }
                if stopping { break }
                seen = round
                do {
                    // Scoped so this reference is gone before the caller learns we are done.
                    let body = job
                    condition.unlock()
                    body?(worker)
                }
                condition.lock()
                pending -= 1
                if pending == 0 { condition.broadcast() }
            }
            condition.unlock()
        }

        func stop() {
            condition.lock()
            stopping = true
            condition.broadcast()
            condition.unlock()
        }
    }
}
