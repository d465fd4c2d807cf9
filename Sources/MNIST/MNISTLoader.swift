import SeededRandom

/// Cuts a dataset into batches, reshuffled every epoch when `shuffle` is on.
///
/// The order of epoch `e` is a function of `(seed, e)` alone: training can resume at
/// any epoch and see exactly the batches an uninterrupted run would have seen.
///
/// Algorithm: epoch `e` seeds a ``SplitMix64`` with `mix(seed ^ mix(e + 1))`, then
/// Fisher–Yates shuffles `0..<count` (for `i` from `count - 1` down to 1, swap `i` with
/// a uniform `j` in `0...i`). Without shuffling, every epoch is in file order. The
/// last batch keeps the remainder: 10 000 examples by 32 give 312 batches of 32 and one of 16.
public struct MNISTLoader: Sendable {
    public let dataset: MNISTDataset
    public let batchSize: Int
    public let shuffle: Bool
    public let seed: UInt64

    public init(dataset: MNISTDataset, batchSize: Int = 32, shuffle: Bool, seed: UInt64) {
        precondition(batchSize > 0, "MNISTLoader: batch size must be positive, got \(batchSize)")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
    }

    /// Batches per epoch, the last one possibly partial.
    public var batchCount: Int { (dataset.count + batchSize - 1) / batchSize }

    /// The order in which epoch `epoch` visits the examples: a permutation of `0..<count`.
    public func order(epoch: Int) -> [Int] {
        precondition(epoch >= 0, "MNISTLoader: epoch must not be negative, got \(epoch)")
        var order = Array(0..<dataset.count)
        guard shuffle, order.count > 1 else { return order }
        var generator = SplitMix64(seed: SplitMix64.mix(seed ^ SplitMix64.mix(UInt64(epoch) &+ 1)))
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            let j = Int(generator.uniform(below: UInt64(i + 1)))
            order.swapAt(i, j)
        }
        return order
    }

    /// One epoch's batches; compute it once per epoch, then draw every batch from it.
    public func epoch(_ epoch: Int) -> MNISTEpoch {
        MNISTEpoch(dataset: dataset, batchSize: batchSize, epoch: epoch, order: order(epoch: epoch))
    }

    /// Fills batch `batch` of epoch `epoch` in one call. It recomputes the epoch's order
    /// (a shuffle of every index) each time, so training loops should call ``epoch(_:)``
    /// once and then ``MNISTEpoch/fill(batch:images:labels:)`` per batch.
    @discardableResult
    public func fill(
        batch: Int, epoch: Int, images: UnsafeMutableBufferPointer<Float>, labels: UnsafeMutableBufferPointer<Int32>
    ) -> Int {
        self.epoch(epoch).fill(batch: batch, images: images, labels: labels)
    }
}

/// The batches of one epoch, in the order fixed by ``MNISTLoader/order(epoch:)``.
public struct MNISTEpoch: Sendable {
    public let dataset: MNISTDataset
    public let batchSize: Int
    public let epoch: Int
    /// Example indices in visiting order.
    public let order: [Int]

    public var batchCount: Int { (order.count + batchSize - 1) / batchSize }

    /// The example indices of batch `batch`.
    public func indices(ofBatch batch: Int) -> ArraySlice<Int> {
        precondition(batch >= 0 && batch < batchCount, "MNISTEpoch: batch \(batch) is outside 0..<\(batchCount)")
        return order[batch * batchSize..<min(order.count, (batch + 1) * batchSize)]
    }

    /// Writes batch `batch` into caller-owned memory, so a training loop allocates nothing
    /// per batch: pixels as Float in [0, 1] (byte ÷ 255, as torchvision's `ToTensor`),
    /// image after image, and labels as Int32. Returns the batch's size.
    ///
    /// - Precondition: `images` holds at least `batchSize × rows × columns` values and
    ///   `labels` at least `batchSize`.
    @discardableResult
    public func fill(
        batch: Int, images: UnsafeMutableBufferPointer<Float>, labels: UnsafeMutableBufferPointer<Int32>
    ) -> Int {
        let indices = indices(ofBatch: batch)
        let pixels = dataset.pixelsPerImage
        precondition(images.count >= indices.count * pixels,
                     "MNISTEpoch.fill: image buffer of \(images.count) Floats, needs \(indices.count * pixels)")
        precondition(labels.count >= indices.count,
                     "MNISTEpoch.fill: label buffer of \(labels.count), needs \(indices.count)")
        dataset.images.withUnsafeBufferPointer { source in
            var destination = 0
            for index in indices {
                let start = index * pixels
                for offset in 0..<pixels {
                    images[destination + offset] = Float(source[start + offset]) / 255
                }
                destination += pixels
            }
        }
        for (slot, index) in indices.enumerated() {
            labels[slot] = Int32(dataset.labels[index])
        }
        return indices.count
    }
}
