@testable import NeuralNetwork
import Testing

@Suite struct ContiguousSlicesTests {
    /// Each element of 0..<count must land in exactly one worker's slice, whatever the
    /// thread count, or Adam silently skips (or double-updates) parameters.
    @Test func slicesCoverEveryElementExactlyOnce() {
        // 82,186 is the reference model's parameter count; 12, 16, 24 and 48 threads once left
        // its tail (classifier.bias) unsliced. The rest are edge cases: fewer elements than
        // threads, exact multiples of 16, one element, absurd thread counts.
        let counts = [0, 1, 15, 16, 17, 31, 100, 255, 256, 257, 1000, 4096, 82_186, 82_192, 100_003]
        let threadCounts = [1, 2, 3, 4, 5, 7, 8, 12, 16, 24, 47, 48, 64, 100, 1000, 100_000]
        for count in counts {
            for threads in threadCounts {
                let slices = ContiguousSlices(count: count, threads: threads)
                var hits = [Int](repeating: 0, count: count)
                for worker in 0..<slices.workerCount {
                    let range = slices.range(of: worker)
                    #expect(!range.isEmpty, "count \(count), threads \(threads): worker \(worker) has nothing to do")
                    #expect(range.lowerBound % 16 == 0, "count \(count), threads \(threads): slice starts at \(range.lowerBound)")
                    for index in range { hits[index] += 1 }
                }
                let missed = hits.indices.filter { hits[$0] != 1 }
                #expect(missed.isEmpty, "count \(count), threads \(threads): \(missed.count) elements not covered exactly once, first \(missed.first ?? -1)")
                #expect(slices.workerCount <= min(threads, ParallelShards.maximumThreads))
                #expect(slices.workerCount <= (count + 15) / 16)
            }
        }
    }

    @Test func absurdThreadCountsAreCapped() {
        #expect(ParallelShards.clampedThreads(1000) == ParallelShards.maximumThreads)
        #expect(ParallelShards.clampedThreads(0) == 1)
        #expect(ParallelShards.clampedThreads(3) == 3)
        #expect(ContiguousSlices(count: 82_186, threads: 1000).workerCount <= ParallelShards.maximumThreads)
        let model = SequenceClassifier(configuration: RecurrentConfiguration(cell: .lstm, inputSize: 2, hiddenSize: 3, outputSize: 2), seed: 1)
        #expect(Trainer(model: model, learningRate: 0.001, maxBatchSize: 2, threads: 1000, maxSteps: 2).threads
            == ParallelShards.maximumThreads)
    }
}
