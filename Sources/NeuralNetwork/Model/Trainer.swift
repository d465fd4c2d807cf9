import Foundation

/// Trains a `SequenceClassifier` (any cell) with softmax cross-entropy and Adam.
///
/// A batch is cut into fixed shards of `shardSize` sequences. Each shard runs forward,
/// loss and backpropagation in its own preallocated workspace and gradient buffer, on
/// whichever thread is free; the shard gradients are then summed in shard order. The
/// arithmetic therefore never depends on the number of threads: the same seed gives
/// bit-identical weights on one core or two.
public final class Trainer {
    public let model: SequenceClassifier
    public let maxBatchSize: Int
    /// Worker threads per step: the requested count, capped at `ParallelShards.maximumThreads`.
    public let threads: Int
    public let adam: Adam
    /// Sequences per shard. Fixed (not derived from `threads`) so results are thread-count independent.
    public static let shardSize = 16

    /// From this size of the recurrent weight matrix on (8 MiB: the LSTM from hidden 725, the
    /// RNN from hidden 1449), cells that allow it (`UnitSplitCell`) run with the threads
    /// splitting each step's products by columns (`ColumnSplitPass`) rather than by sequences.
    /// Measured here (LSTM, interleaved pairs): at hidden 256 and 512, where the matrix stays
    /// in the caches, the split by sequences won 15 of 16 pairs, since it needs no barrier
    /// per step; at 1024 (16 MB, streamed from memory at every step) the split by columns won
    /// 5 of 6, since each thread streams half the matrix instead of all of it; at 768 the
    /// pairs were mixed.
    /// Either way the results are the same bits.
    public static let columnSplitMinimumWeightBytes = 8 << 20

    /// Whether a trainer for `configuration` splits by columns unless told otherwise.
    public static func splitsByColumnsByDefault(_ configuration: RecurrentConfiguration) -> Bool {
        let weightBytes = MemoryLayout<Float>.size * configuration.hiddenSize * configuration.gateWidth
        return configuration.cell.cellType is any UnitSplitCell.Type && weightBytes >= columnSplitMinimumWeightBytes
    }

    /// From this many parameters on (an LSTM from hidden 256) the threads share the refresh
    /// of the derived weight copies after each optimiser step.
    static let parallelRefreshMinimumParameters = 1 << 18

    /// Whether this trainer runs its passes split by columns (see `columnSplitMinimumWeightBytes`).
    public var splitsByColumns: Bool { columnSplit != nil }

    private let maxSteps: Int
    private let workspaces: [SequenceWorkspace]
    private let shardGradients: [UnsafeMutablePointer<Float>]
    private let shardLosses: UnsafeMutablePointer<Float>
    private let columnSplit: ColumnSplitPass?

    /// - Parameter maxSteps: the longest sequence a batch will have (the data's, e.g. 28 MNIST rows).
    public convenience init(model: SequenceClassifier, learningRate: Float, maxBatchSize: Int, threads: Int, maxSteps: Int) {
        self.init(model: model, learningRate: learningRate, maxBatchSize: maxBatchSize, threads: threads,
                  maxSteps: maxSteps, splitByColumns: nil)
    }

    /// - Parameter splitByColumns: forces the column split on or off (tests and the
    ///   benchmark compare both); nil chooses by size. Cells that cannot be split ignore it.
    public init(model: SequenceClassifier, learningRate: Float, maxBatchSize: Int, threads: Int, maxSteps: Int,
         splitByColumns: Bool?) {
        precondition(maxBatchSize > 0 && threads > 0 && maxSteps > 0, "trainer sizes must be positive")
        self.model = model
        self.maxBatchSize = maxBatchSize
        self.threads = ParallelShards.clampedThreads(threads)
        self.maxSteps = maxSteps
        adam = Adam(parameterCount: model.parameterCount, learningRate: learningRate)
        let shards = (maxBatchSize + Self.shardSize - 1) / Self.shardSize
        workspaces = (0..<shards).map { _ in
            SequenceWorkspace(configuration: model.configuration, maxBatch: min(Self.shardSize, maxBatchSize), maxSteps: maxSteps)
        }
        shardGradients = (0..<shards).map { _ in
            let pointer = UnsafeMutablePointer<Float>.allocate(capacity: model.parameterCount)
            pointer.initialize(repeating: 0, count: model.parameterCount)
            return pointer
        }
        shardLosses = .allocate(capacity: shards)
        shardLosses.initialize(repeating: 0, count: shards)
        let splittable = model.configuration.cell.cellType is any UnitSplitCell.Type
        let split = splitByColumns ?? Self.splitsByColumnsByDefault(model.configuration)
        columnSplit = splittable && split ? ColumnSplitPass(workspaces: workspaces, threads: self.threads) : nil
    }

    deinit {
        shardGradients.forEach { $0.deallocate() }
        shardLosses.deallocate()
    }

    /// When true, each workspace and the optimiser record per-phase times (see `phaseTimes`).
    public var isProfiling = false {
        didSet {
            workspaces.forEach { $0.isProfiling = isProfiling }
            columnSplit?.isProfiling = isProfiling
        }
    }
    private var optimiserSeconds: Double = 0

    /// Per-phase seconds summed over shards (thread time, not wall time) since profiling began.
    public var phaseTimes: PhaseTimes {
        var total = workspaces.reduce(PhaseTimes()) { $0 + $1.phaseTimes }
        total = columnSplit?.clocks.reduce(total) { $0 + $1.times } ?? total
        total.optimiser += optimiserSeconds
        return total
    }

    /// Number of Adam updates applied so far.
    public var stepCount: Int { adam.stepCount }

    /// One Adam step on a batch; returns the mean cross-entropy loss of the batch (before the update).
    /// - Parameters:
    ///   - images: batchSize × steps × inputSize floats, batch-first.
    ///   - labels: batchSize class indices.
    public func step(
        images: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int32>, batchSize: Int, steps: Int
    ) -> Float {
        let loss = computeShardGradients(images: images, labels: labels, batchSize: batchSize, steps: steps)
        let start = isProfiling ? threadCPUSeconds() : 0
        // Reduction and Adam on contiguous slices of the parameters, one per thread. Each
        // element sums the shards in shard order and is updated independently, so the result
        // does not depend on the slicing.
        let adam = adam, shardGradients = shardGradients, shardCount = lastShardCount
        let parameters = model.weights.parameters.baseAddress!
        let slices = ContiguousSlices(count: model.parameterCount, threads: threads)
        adam.beginStep()
        ParallelShards.run(count: slices.workerCount, threads: slices.workerCount) { worker in
            let range = slices.range(of: worker)
            // In chunks of 2048 so the summed gradient is still in L1 when Adam reads it.
            var start = range.lowerBound
            while start < range.upperBound {
                let chunk = start..<min(start + 2048, range.upperBound)
                for shard in 1..<max(shardCount, 1) {
                    Self.add(shardGradients[shard] + chunk.lowerBound, into: shardGradients[0] + chunk.lowerBound,
                             count: chunk.count)
                }
                adam.apply(parameters: parameters, gradients: shardGradients[0], range: chunk)
                start = chunk.upperBound
            }
        }
        // In parts on every thread once the copies are large (from hidden 256 on); below
        // that waking the second thread costs more than the copy.
        let weights = model.weights
        let parts = model.parameterCount >= Self.parallelRefreshMinimumParameters ? threads : 1
        ParallelShards.run(count: parts, threads: parts) { part in
            weights.refreshDerived(part: part, of: parts)
        }
        if isProfiling { optimiserSeconds += threadCPUSeconds() - start }
        return loss
    }

    /// Mean loss of the batch and the gradient of that mean w.r.t. every parameter, in the
    /// model's flat layout (see `ParameterLayout`), readable through `gradients` until the next call.
    @discardableResult
    public func computeGradients(
        images: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int32>, batchSize: Int, steps: Int
    ) -> Float {
        let loss = computeShardGradients(images: images, labels: labels, batchSize: batchSize, steps: steps)
        for shard in 1..<max(lastShardCount, 1) {
            Self.add(shardGradients[shard], into: shardGradients[0], count: model.parameterCount)
        }
        return loss
    }

    /// Number of shards of the last batch.
    private var lastShardCount = 0

    /// Forward, loss and backward of every shard into its own gradient buffer (not yet summed).
    private func computeShardGradients(
        images: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int32>, batchSize: Int, steps: Int
    ) -> Float {
        let configuration = model.configuration
        precondition(batchSize > 0 && batchSize <= maxBatchSize, "batch size \(batchSize) outside 1...\(maxBatchSize)")
        precondition(steps > 0 && steps <= maxSteps, "sequence length \(steps) outside 1...\(maxSteps)")
        precondition(images.count >= batchSize * steps * configuration.inputSize, "images buffer too small for the batch")
        precondition(labels.count >= batchSize, "labels buffer too small for the batch")
        for (sample, label) in labels.prefix(batchSize).enumerated() {
            precondition(label >= 0 && Int(label) < configuration.outputSize,
                         "label \(label) of sample \(sample) is outside 0..<\(configuration.outputSize)")
        }
        let shardCount = (batchSize + Self.shardSize - 1) / Self.shardSize
        lastShardCount = shardCount
        let weights = model.weights
        let workspaces = workspaces, shardGradients = shardGradients, shardLosses = shardLosses
        let imageBase = images.baseAddress!, labelBase = labels.baseAddress!
        let sampleSize = steps * configuration.inputSize
        let output = configuration.outputSize
        let scale = 1 / Float(batchSize)

        if let columnSplit {
            columnSplit.run(
                shardCount: shardCount, shardSize: Self.shardSize, batchSize: batchSize, steps: steps,
                sequences: imageBase, labels: labelBase, lossScale: scale, weights: weights,
                gradients: shardGradients, losses: shardLosses)
        } else {
            ParallelShards.run(count: shardCount, threads: threads) { shard in
                let first = shard * Self.shardSize
                let count = min(Self.shardSize, batchSize - first)
                let workspace = workspaces[shard]
                workspace.forward(sequences: imageBase + first * sampleSize, batch: count, steps: steps, weights: weights)
                shardLosses[shard] = SoftmaxCrossEntropy.lossSum(
                    logits: workspace.logits, labels: labelBase + first, count: count, classes: output,
                    gradientScale: scale, gradient: workspace.logitGradients)
                workspace.backward(weights: weights, gradients: shardGradients[shard])
            }
        }
        var lossSum: Float = 0
        for shard in 0..<shardCount { lossSum += shardLosses[shard] }
        return lossSum * scale
    }

    /// The gradient of the last `computeGradients` / `step`, in the flat layout.
    public var gradients: UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: shardGradients[0], count: model.parameterCount)
    }

    @inline(__always)
    private static func add(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, count: Int) {
        var index = 0
        while index < count {
            let width = min(16, count - index)
            storePartial(loadPartial(destination + index, count: width) + loadPartial(source + index, count: width),
                         destination + index, count: width)
            index += width
        }
    }

    // MARK: Resumable state

    /// Writes the Adam moments under `adam.m.<parameter>` / `adam.v.<parameter>` (PyTorch
    /// names and shapes) with the step count in the metadata, atomically.
    public func saveState(to url: URL) throws(SafetensorsError) {
        let layout = model.weights.layout
        var tensors: [SafetensorsFile.Tensor] = []
        for (prefix, moments) in [("adam.m.", adam.firstMoments), ("adam.v.", adam.secondMoments)] {
            for tensor in layout.tensors {
                tensors.append(.init(name: prefix + layout.name(of: tensor), shape: layout.shape(of: tensor),
                                     values: layout.values(of: tensor, in: UnsafeBufferPointer(moments))))
            }
        }
        let metadata = ["step": String(adam.stepCount), "learning_rate": String(adam.learningRate)]
        try SafetensorsFile(tensors: tensors, metadata: metadata).write(to: url)
    }

    /// Restores the moments and step count written by `saveState`. Strict like model loading
    /// (names, shapes and finite values); the current state is untouched unless the whole
    /// file is valid.
    public func loadState(from url: URL) throws(SafetensorsError) {
        let reader = try SafetensorsReader(url: url)
        let header = reader.header, path = reader.path
        let layout = model.weights.layout
        for entry in header.entries where !(entry.name.hasPrefix("adam.m.") || entry.name.hasPrefix("adam.v.")) {
            throw .unexpectedTensor(path: path, tensor: entry.name)
        }
        let first = try SequenceClassifier.strictEntries(of: header, path: path, prefix: "adam.m.", layout: layout)
        let second = try SequenceClassifier.strictEntries(of: header, path: path, prefix: "adam.v.", layout: layout)
        guard let stepText = header.metadata["step"] else {
            throw .badMetadata(path: path, key: "step", reason: "missing")
        }
        guard let step = Int(stepText), step >= 0 else {
            throw .badMetadata(path: path, key: "step", reason: "'\(stepText)' is not a non-negative integer")
        }
        var firstValues: [[Float]] = [], secondValues: [[Float]] = []
        for (_, entry) in first { firstValues.append(try reader.finiteValues(of: entry)) }
        for (_, entry) in second { secondValues.append(try reader.finiteValues(of: entry)) }
        for ((tensor, _), values) in zip(first, firstValues) { layout.store(values, as: tensor, in: adam.firstMoments) }
        for ((tensor, _), values) in zip(second, secondValues) { layout.store(values, as: tensor, in: adam.secondMoments) }
        adam.stepCount = step
    }
}
