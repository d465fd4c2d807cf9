import MNIST
import SeededRandom
import Testing

@Suite("Batches, shuffling and conversion to Float")
struct LoaderTests {
    /// 10 examples of 2 × 2 whose pixels encode the example index.
    let dataset = MNISTDataset(
        images: (0..<10).flatMap { i in [UInt8(i), 255, 0, UInt8(i * 20)] },
        labels: (0..<10).map { UInt8($0 % 10) }, rows: 2, columns: 2)

    @Test("10 000 examples by 32 give 313 batches, the last of 16")
    func partialLastBatch() {
        let big = MNISTDataset(images: [UInt8](repeating: 0, count: 10_000), labels: [UInt8](repeating: 0, count: 10_000),
                               rows: 1, columns: 1)
        let loader = MNISTLoader(dataset: big, batchSize: 32, shuffle: false, seed: 0)
        #expect(loader.batchCount == 313)
        let epoch = loader.epoch(0)
        #expect(epoch.indices(ofBatch: 0).count == 32)
        #expect(epoch.indices(ofBatch: 312).count == 16)
        #expect(Array(epoch.indices(ofBatch: 312)) == Array(9984..<10_000))
        #expect(MNISTLoader(dataset: big, batchSize: 100, shuffle: true, seed: 1).batchCount == 100)
    }

    @Test("without shuffling every epoch is in file order")
    func fileOrder() {
        let loader = MNISTLoader(dataset: dataset, batchSize: 4, shuffle: false, seed: 99)
        #expect(loader.order(epoch: 0) == Array(0..<10))
        #expect(loader.order(epoch: 7) == Array(0..<10))
    }

    @Test("shuffled order: a permutation, fixed by (seed, epoch), different across epochs and seeds")
    func shuffledOrder() {
        let big = MNISTDataset(images: [UInt8](repeating: 0, count: 1000), labels: [UInt8](repeating: 0, count: 1000),
                               rows: 1, columns: 1)
        let loader = MNISTLoader(dataset: big, shuffle: true, seed: 42)
        let epoch0 = loader.order(epoch: 0)
        #expect(epoch0.sorted() == Array(0..<1000))
        #expect(epoch0 != Array(0..<1000))
        // A second loader, as after a restart, reproduces any epoch without replaying earlier ones.
        let resumed = MNISTLoader(dataset: big, shuffle: true, seed: 42)
        #expect(resumed.order(epoch: 3) == loader.order(epoch: 3))
        #expect(loader.order(epoch: 1) != epoch0)
        #expect(MNISTLoader(dataset: big, shuffle: true, seed: 43).order(epoch: 0) != epoch0)
        // Consecutive epochs are not shifted copies of each other.
        #expect(Array(loader.order(epoch: 1).dropFirst()) != Array(epoch0.dropLast()))
    }

    @Test("the shuffle is pinned: these values come from the documented algorithm")
    func pinnedSequence() {
        var generator = SplitMix64(seed: 0)
        // Reference values of SplitMix64 seeded with 0 (published with the algorithm).
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(generator.next() == 0x06C4_5D18_8009_454F)
        let small = MNISTLoader(dataset: dataset, batchSize: 3, shuffle: true, seed: 2024)
        let order = small.order(epoch: 0)
        #expect(order.sorted() == Array(0..<10))
        // Recompute Fisher–Yates by hand from the generator to pin the algorithm as documented.
        var expected = Array(0..<10)
        var reference = SplitMix64(seed: SplitMix64.mix(2024 ^ SplitMix64.mix(1)))
        for i in stride(from: 9, to: 0, by: -1) {
            expected.swapAt(i, Int(reference.uniform(below: UInt64(i + 1))))
        }
        #expect(order == expected)
    }

    @Test("uniform(below:) stays in range and is roughly uniform")
    func uniformBelow() {
        var generator = SplitMix64(seed: 7)
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0..<60_000 { counts[Int(generator.uniform(below: 6))] += 1 }
        // Each bin expects 10 000; 5 standard deviations is about 456.
        #expect(counts.allSatisfy { abs($0 - 10_000) < 460 }, "\(counts)")
        #expect(generator.uniform(below: 1) == 0)
    }

    @Test("fill converts bytes to Float ÷ 255 and labels to Int32, in batch order")
    func fill() {
        let loader = MNISTLoader(dataset: dataset, batchSize: 4, shuffle: true, seed: 5)
        let epoch = loader.epoch(2)
        var images = [Float](repeating: -1, count: 4 * 4)
        var labels = [Int32](repeating: -1, count: 4)
        var seen: [Int] = []
        for batch in 0..<epoch.batchCount {
            let size = images.withUnsafeMutableBufferPointer { imageBuffer in
                labels.withUnsafeMutableBufferPointer { labelBuffer in
                    epoch.fill(batch: batch, images: imageBuffer, labels: labelBuffer)
                }
            }
            #expect(size == (batch == 2 ? 2 : 4))
            for (slot, index) in epoch.indices(ofBatch: batch).enumerated() {
                seen.append(index)
                #expect(labels[slot] == Int32(index % 10))
                #expect(images[slot * 4] == Float(index) / 255)
                #expect(images[slot * 4 + 1] == 1)
                #expect(images[slot * 4 + 2] == 0)
                #expect(images[slot * 4 + 3] == Float(index * 20) / 255)
            }
        }
        #expect(seen.sorted() == Array(0..<10))
        #expect(seen == loader.order(epoch: 2))

        // The one-call form gives the same batch.
        var again = [Float](repeating: -1, count: 4 * 4)
        var againLabels = [Int32](repeating: -1, count: 4)
        let size = again.withUnsafeMutableBufferPointer { imageBuffer in
            againLabels.withUnsafeMutableBufferPointer { labelBuffer in
                loader.fill(batch: 2, epoch: 2, images: imageBuffer, labels: labelBuffer)
            }
        }
        #expect(size == 2)
        #expect(Array(againLabels.prefix(2)) == epoch.indices(ofBatch: 2).map { Int32($0 % 10) })
        #expect(again[0] == Float(epoch.indices(ofBatch: 2).first!) / 255)
    }
}
