import Foundation
import Synchronization

/// Makes `parties` threads wait for each other between the time steps of a split pass.
///
/// Why not a plain condition variable: at hidden 1024 a step is a few milliseconds, but
/// two futex round trips per step still show at smaller sizes, so a waiter first polls for
/// a bounded number of rounds (a partner that is running arrives within microseconds).
/// Why not a pure spin: the machine is shared, and a partner the OS has descheduled may
/// not run again for a whole time slice; spinning through that would burn the waiter's
/// core, which the descheduled partner may be waiting for. Past the bound the waiter sleeps
/// on the condition, and the last arrival wakes it.
final class StepBarrier: @unchecked Sendable {
    let parties: Int
    /// Polling rounds before a waiter sleeps: about 10–20 µs on this machine.
    static let spinLimit = 2_000

    private let arrived = Atomic<Int>(0)
    private let generation = Atomic<Int>(0)
    private let condition = NSCondition()

    init(parties: Int) {
        precondition(parties > 0, "a barrier needs at least one party")
        self.parties = parties
    }

    /// Returns once every party has called `wait` for this round. Writes made by any party
    /// before its call are visible to every party after it returns.
    func wait() {
        guard parties > 1 else { return }
        let round = generation.load(ordering: .acquiring)
        if arrived.add(1, ordering: .acquiringAndReleasing).newValue == parties {
            // No one can arrive for the next round before `generation` moves, so the reset
            // cannot race with an arrival.
            arrived.store(0, ordering: .relaxed)
            condition.lock()
            generation.add(1, ordering: .releasing)
            condition.broadcast()
            condition.unlock()
            return
        }
        for _ in 0..<Self.spinLimit where generation.load(ordering: .acquiring) != round {
            return
        }
        condition.lock()
        while generation.load(ordering: .acquiring) == round { condition.wait() }
        condition.unlock()
    }
}
