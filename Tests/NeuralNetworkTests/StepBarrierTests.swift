import Foundation
@testable import NeuralNetwork
import Testing

@Suite struct StepBarrierTests {
    /// No member leaves a round before every member has written its slot for that round.
    @Test(arguments: [1, 2, 3, 4])
    func noMemberPassesBeforeAllHaveArrived(members: Int) {
        let rounds = 2_000
        let team = ThreadTeam(size: members)
        let barrier = StepBarrier(parties: members)
        let slots = UnsafeMutablePointer<Int>.allocate(capacity: members)
        slots.initialize(repeating: -1, count: members)
        let failures = UnsafeMutablePointer<Int>.allocate(capacity: members)
        failures.initialize(repeating: 0, count: members)
        defer { slots.deallocate(); failures.deallocate() }
        team.run { worker in
            for round in 0..<rounds {
                slots[worker] = round
                barrier.wait()
                for other in 0..<members where slots[other] != round { failures[worker] += 1 }
                barrier.wait()
            }
        }
        #expect((0..<members).allSatisfy { failures[$0] == 0 })
        #expect((0..<members).allSatisfy { slots[$0] == rounds - 1 })
    }

    /// A member that is held up (here: asleep, as a descheduled thread would be) is waited
    /// for, and the waiting member sleeps instead of spinning through the delay.
    @Test func aLateMemberIsWaitedForWithoutSpinning() {
        let team = ThreadTeam(size: 2)
        let barrier = StepBarrier(parties: 2)
        let arrival = UnsafeMutablePointer<Double>.allocate(capacity: 2)
        let waitingCPU = UnsafeMutablePointer<Double>.allocate(capacity: 1)
        arrival.initialize(repeating: 0, count: 2)
        waitingCPU.initialize(to: 0)
        defer { arrival.deallocate(); waitingCPU.deallocate() }
        let start = Date()
        team.run { worker in
            if worker == 1 {
                Thread.sleep(forTimeInterval: 0.3)
                barrier.wait()
            } else {
                let cpu = threadCPUSeconds()
                barrier.wait()
                waitingCPU.pointee = threadCPUSeconds() - cpu
            }
            arrival[worker] = Date().timeIntervalSince(start)
        }
        #expect(arrival[0] >= 0.29, "worker 0 left the barrier before its partner arrived")
        // Spinning through the 0.3 s would cost about 0.3 s of CPU; sleeping costs microseconds.
        #expect(waitingCPU.pointee < 0.1, "the waiting member used \(waitingCPU.pointee) s of CPU")
    }

    /// A team runs one body after another on the same threads, every member every time.
    @Test func aTeamRunsEveryMemberOfEveryBody() {
        let team = ThreadTeam(size: 3)
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: 3)
        hits.initialize(repeating: 0, count: 3)
        defer { hits.deallocate() }
        for _ in 0..<500 {
            team.run { worker in hits[worker] += 1 }
        }
        #expect((0..<3).allSatisfy { hits[$0] == 500 })
    }
}
