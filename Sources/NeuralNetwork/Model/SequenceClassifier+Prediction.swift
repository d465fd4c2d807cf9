extension SequenceClassifier {
    /// Sequences per inference shard: with 16, all 28 steps of LSTM gate pre-activations
    /// (0.9 MB) stay in the L2 cache between the input projection and the step loop; 64
    /// spills them to L3 and was measured 25% slower.
    static let inferenceShardSize = 16

    /// Logits [count, O] and the arg-max class of each sequence.
    /// - Parameter sequences: count × steps × inputSize floats, batch-first (for MNIST, 28 rows of 28 pixels).
    public func predict(
        sequences: UnsafeBufferPointer<Float>, count: Int, steps: Int, threads: Int
    ) -> (logits: [Float], predictions: [Int]) {
        let input = configuration.inputSize, output = configuration.outputSize
        precondition(count >= 0 && steps > 0 && sequences.count >= count * steps * input,
                     "predict: \(sequences.count) floats for \(count) sequences of \(steps)×\(input)")
        guard count > 0 else { return ([], []) }
        let shardSize = Self.inferenceShardSize
        let shardCount = (count + shardSize - 1) / shardSize
        let workerCount = max(1, min(ParallelShards.clampedThreads(threads), shardCount))
        let workspaces = (0..<workerCount).map { _ in
            SequenceWorkspace(configuration: configuration, maxBatch: min(shardSize, count), maxSteps: steps,
                              supportsBackward: false)
        }
        var logits = [Float](repeating: 0, count: count * output)
        let weights = weights
        let base = sequences.baseAddress!
        logits.withUnsafeMutableBufferPointer { logitBuffer in
            let destination = logitBuffer.baseAddress!
            ParallelShards.runDynamically(count: shardCount, threads: workerCount) { worker, shard in
                let first = shard * shardSize
                let batch = min(shardSize, count - first)
                let workspace = workspaces[worker]
                workspace.forward(sequences: base + first * steps * input, batch: batch, steps: steps, weights: weights)
                (destination + first * output).update(from: workspace.logits, count: batch * output)
            }
        }
        let predictions = (0..<count).map { row in
            var best = 0
            for label in 1..<max(output, 1) where logits[row * output + label] > logits[row * output + best] {
                best = label
            }
            return best
        }
        return (logits, predictions)
    }

    /// For each step t, the mean over the sequences of ‖∂Lᵢ/∂x_t‖₂, where Lᵢ is sequence i's
    /// own cross-entropy: how strongly the loss still depends on what the network read t steps
    /// in. In a network whose gradient vanishes, the early steps' norms are orders of
    /// magnitude below the last ones'. Runs on one thread; not a training path.
    public func inputGradientNorms(
        sequences: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int32>, count: Int, steps: Int
    ) -> [Double] {
        let input = configuration.inputSize, output = configuration.outputSize
        precondition(count > 0 && steps > 0 && sequences.count >= count * steps * input && labels.count >= count,
                     "inputGradientNorms: buffers too small for \(count) sequences of \(steps)×\(input)")
        let shardSize = Self.inferenceShardSize
        let workspace = SequenceWorkspace(configuration: configuration, maxBatch: min(shardSize, count), maxSteps: steps)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: parameterCount)
        defer { scratch.deallocate() }
        var sums = [Double](repeating: 0, count: steps)
        var first = 0
        while first < count {
            let batch = min(shardSize, count - first)
            workspace.forward(sequences: sequences.baseAddress! + first * steps * input, batch: batch, steps: steps,
                              weights: weights)
            // Scale 1: each sequence's gradient is that of its own loss, not of the batch mean.
            _ = SoftmaxCrossEntropy.lossSum(
                logits: workspace.logits, labels: labels.baseAddress! + first, count: batch, classes: output,
                gradientScale: 1, gradient: workspace.logitGradients)
            workspace.backward(weights: weights, gradients: scratch)
            let gradients = workspace.inputGradients(weights: weights)
            for sequence in 0..<batch {
                for step in 0..<steps {
                    let start = (sequence * steps + step) * input
                    var squares = 0.0
                    for value in gradients[start..<start + input] { squares += Double(value) * Double(value) }
                    sums[step] += squares.squareRoot()
                }
            }
            first += batch
        }
        return sums.map { $0 / Double(count) }
    }
}
