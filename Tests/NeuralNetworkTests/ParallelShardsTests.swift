@testable import NeuralNetwork
import Testing

@Suite struct ParallelShardsTests {
    @Test(arguments: [1, 2, 3])
    func everyShardRunsExactlyOnce(threads: Int) {
        let count = 101
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: count)
        hits.initialize(repeating: 0, count: count)
        defer { hits.deallocate() }
        // Each shard writes only its own slot, as the callers' shards do.
        ParallelShards.runDynamically(count: count, threads: threads) { worker, shard in
            #expect(worker < threads)
            hits[shard] += 1
        }
        #expect((0..<count).allSatisfy { hits[$0] == 1 })

        let staticHits = UnsafeMutablePointer<Int>.allocate(capacity: 7)
        staticHits.initialize(repeating: 0, count: 7)
        defer { staticHits.deallocate() }
        ParallelShards.run(count: 7, threads: threads) { staticHits[$0] += 1 }
        #expect((0..<7).allSatisfy { staticHits[$0] == 1 })
    }
}
