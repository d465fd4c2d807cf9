/// Preallocated activations and the from-scratch forward pass and backpropagation through
/// time of the reference model (LSTM over the rows of an image, Linear on the last a_t).
///
/// One workspace serves one shard of a batch on one thread. Everything the hot loops touch
/// is allocated here once, sized for `maxBatch` sequences of `maxSteps` steps; a call with
/// fewer (a smaller last batch) uses a prefix. Layouts are time-major so each step's rows
/// are contiguous for the recurrent product:
///   inputs  [T, n, I]      x_t for every sequence
///   gates   [T, n, 4H]     pre-activations, then (after the step) c̃, Γu, Γf, Γo
///   hidden  [T+1, n, H]    a_{t}, with slot 0 the zero initial state a_{-1}
///   cells   [T+1, n, H]    c_{t}, with slot 0 the zero initial state
///   tanhCells [T, n, H]    tanh(c_t), kept for the backward pass
public final class LSTMWorkspace {
    public let configuration: LSTMConfiguration
    public let maxBatch: Int
    public let maxSteps: Int

    let inputs: UnsafeMutablePointer<Float>
    let gates: UnsafeMutablePointer<Float>
    let hidden: UnsafeMutablePointer<Float>
    let cells: UnsafeMutablePointer<Float>
    let tanhCells: UnsafeMutablePointer<Float>
    let gateGradients: UnsafeMutablePointer<Float>
    let hiddenGradient: UnsafeMutablePointer<Float>
    let cellGradient: UnsafeMutablePointer<Float>
    /// Logits [n, O] of the last forward pass.
    public let logits: UnsafeMutablePointer<Float>
    /// dLoss/dLogits [n, O], filled by the loss before `backward`.
    public let logitGradients: UnsafeMutablePointer<Float>

    /// Batch size and sequence length of the last forward pass.
    public private(set) var batch = 0
    public private(set) var steps = 0

    /// When true, `phaseTimes` accumulates the time of each phase (see `PhaseTimes`).
    public var isProfiling = false
    public var phaseTimes = PhaseTimes()

    /// Adds the time since `start` to one phase and returns the new start, when profiling.
    @inline(__always)
    func lap(_ start: Double, _ phase: WritableKeyPath<PhaseTimes, Double>) -> Double {
        guard isProfiling else { return 0 }
        let now = threadCPUSeconds()
        phaseTimes[keyPath: phase] += now - start
        return now
    }

    @inline(__always)
    func startLap() -> Double { isProfiling ? threadCPUSeconds() : 0 }

    /// Whether `backward` is available; inference workspaces skip the gradient buffers
    /// (half the memory).
    public let supportsBackward: Bool

    public init(configuration: LSTMConfiguration, maxBatch: Int, maxSteps: Int, supportsBackward: Bool = true) {
        precondition(maxBatch > 0 && maxSteps > 0, "workspace needs a positive batch and step count")
        self.configuration = configuration
        self.supportsBackward = supportsBackward
        self.maxBatch = maxBatch
        self.maxSteps = maxSteps
        let input = configuration.inputSize, hiddenSize = configuration.hiddenSize
        let gateWidth = configuration.gateWidth, output = configuration.outputSize
        func zeroed(_ count: Int) -> UnsafeMutablePointer<Float> {
            let pointer = UnsafeMutablePointer<Float>.allocate(capacity: count)
            pointer.initialize(repeating: 0, count: count)
            return pointer
        }
        inputs = zeroed(maxSteps * maxBatch * input)
        gates = zeroed(maxSteps * maxBatch * gateWidth)
        hidden = zeroed((maxSteps + 1) * maxBatch * hiddenSize)
        cells = zeroed((maxSteps + 1) * maxBatch * hiddenSize)
        tanhCells = zeroed(maxSteps * maxBatch * hiddenSize)
        gateGradients = zeroed(supportsBackward ? maxSteps * maxBatch * gateWidth : 1)
        hiddenGradient = zeroed(maxBatch * hiddenSize)
        cellGradient = zeroed(maxBatch * hiddenSize)
        logits = zeroed(maxBatch * output)
        logitGradients = zeroed(maxBatch * output)
    }

    deinit {
        for pointer in [inputs, gates, hidden, cells, tanhCells, gateGradients, hiddenGradient,
                        cellGradient, logits, logitGradients] {
            pointer.deallocate()
        }
    }

    /// Hidden state a_t [n, H] after step `step` (0-based) of the last forward pass.
    public func hiddenState(afterStep step: Int) -> UnsafeBufferPointer<Float> {
        precondition(step >= 0 && step < steps)
        return UnsafeBufferPointer(start: hidden + (step + 1) * batch * configuration.hiddenSize,
                                   count: batch * configuration.hiddenSize)
    }

    /// Cell state c_t [n, H] after step `step` of the last forward pass.
    public func cellState(afterStep step: Int) -> UnsafeBufferPointer<Float> {
        precondition(step >= 0 && step < steps)
        return UnsafeBufferPointer(start: cells + (step + 1) * batch * configuration.hiddenSize,
                                   count: batch * configuration.hiddenSize)
    }

    // MARK: Forward

    /// Runs the LSTM over `batch` sequences and the classifier on the last hidden state.
    /// - Parameters:
    ///   - sequences: [batch, steps, I] batch-first, as the reference feeds images (row = step).
    ///   - weights: the model's parameters with their derived copies.
    public func forward(sequences: UnsafePointer<Float>, batch n: Int, steps: Int, weights: LSTMWeights) {
        precondition(n > 0 && n <= maxBatch, "batch \(n) outside 1...\(maxBatch)")
        precondition(steps > 0 && steps <= maxSteps, "sequence length \(steps) outside 1...\(maxSteps)")
        precondition(weights.configuration == configuration, "weights and workspace disagree on sizes")
        batch = n
        self.steps = steps
        let input = configuration.inputSize, hiddenSize = configuration.hiddenSize
        let gateWidth = configuration.gateWidth, output = configuration.outputSize
        let inputs = inputs, gates = gates, hidden = hidden, cells = cells, tanhCells = tanhCells
        let parameters = UnsafePointer(weights.parameters.baseAddress!)
        let layout = weights.layout

        var clock = startLap()
        // Batch-first → time-major, so every step's inputs are one contiguous block.
        for sequence in 0..<n {
            for step in 0..<steps {
                (inputs + (step * n + sequence) * input)
                    .update(from: sequences + (sequence * steps + step) * input, count: input)
            }
        }
        // Input projection of all steps in one product: Z[t·n + b] = x·Wxᵀ + (b_x + b_a).
        MatrixProduct.multiply(
            m: steps * n, n: gateWidth, k: input,
            a: inputs, aRowStride: input, aColumnStride: 1,
            b: parameters + layout.inputWeightsOffset, bRowStride: gateWidth,
            c: gates, cRowStride: gateWidth, accumulate: false, rowBias: weights.fusedGateBias)
        clock = lap(clock, \.inputProjection)

        hidden.update(repeating: 0, count: n * hiddenSize)
        cells.update(repeating: 0, count: n * hiddenSize)
        for step in 0..<steps {
            let z = gates + step * n * gateWidth
            // Recurrent product: Z_t += a_{t-1}·Waᵀ (a_{-1} = 0: nothing to add at step 0).
            if step > 0 {
                MatrixProduct.multiply(
                    m: n, n: gateWidth, k: hiddenSize,
                    a: hidden + step * n * hiddenSize, aRowStride: hiddenSize, aColumnStride: 1,
                    b: parameters + layout.recurrentWeightsOffset, bRowStride: gateWidth,
                    c: z, cRowStride: gateWidth, accumulate: true)
            }
            clock = lap(clock, \.recurrentForward)
            LSTMCellEquations.activate(
                gates: z, previousCells: cells + step * n * hiddenSize,
                cells: cells + (step + 1) * n * hiddenSize,
                tanhCells: tanhCells + step * n * hiddenSize,
                hidden: hidden + (step + 1) * n * hiddenSize,
                batch: n, hiddenSize: hiddenSize)
            clock = lap(clock, \.activations)
        }

        // Classifier on the last hidden state: logits = a_T·Wcᵀ + b_c.
        Linear.forward(
            input: hidden + steps * n * hiddenSize, batch: n, inFeatures: hiddenSize, outFeatures: output,
            transposedWeight: parameters + layout.classifierWeightsOffset,
            bias: parameters + layout.classifierBiasOffset, output: logits)
        _ = lap(clock, \.classifierAndLoss)
    }

    // MARK: Backward

    /// Backpropagation through time from `logitGradients` (which the loss filled) to the
    /// gradient of every parameter, written (not accumulated) into `gradients` in the
    /// model's flat layout. Uses the activations of the last `forward`.
    public func backward(weights: LSTMWeights, gradients: UnsafeMutablePointer<Float>) {
        let n = batch, steps = steps
        precondition(supportsBackward, "this workspace was created for inference only")
        precondition(n > 0, "backward needs a forward pass first")
        let input = configuration.inputSize, hiddenSize = configuration.hiddenSize
        let gateWidth = configuration.gateWidth, output = configuration.outputSize
        let layout = weights.layout
        let gates = gates, hidden = hidden, cells = cells, tanhCells = tanhCells
        let gateGradients = gateGradients, da = hiddenGradient, dc = cellGradient
        let logitGradients = logitGradients

        var clock = startLap()
        // Classifier: dWcᵀ = a_Tᵀ·dLogits, db_c = Σ_rows dLogits, da_T = dLogits·Wc.
        Linear.backward(
            input: hidden + steps * n * hiddenSize, outputGradient: logitGradients, batch: n,
            inFeatures: hiddenSize, outFeatures: output, weight: weights.classifierWeights,
            transposedWeightGradient: gradients + layout.classifierWeightsOffset,
            biasGradient: gradients + layout.classifierBiasOffset, inputGradient: da)
        dc.update(repeating: 0, count: n * hiddenSize)
        clock = lap(clock, \.classifierAndLoss)

        for step in (0..<steps).reversed() {
            LSTMCellEquations.gateGradients(
                gates: gates + step * n * gateWidth, previousCells: cells + step * n * hiddenSize,
                tanhCells: tanhCells + step * n * hiddenSize, hiddenGradient: da, cellGradient: dc,
                gateGradients: gateGradients + step * n * gateWidth, batch: n, hiddenSize: hiddenSize)
            clock = lap(clock, \.gateBackward)
            if step > 0 {
                // Recurrent product backward: da_{t-1} = dZ_t·Wa (Wa stacked [4H, H]).
                MatrixProduct.multiply(
                    m: n, n: hiddenSize, k: gateWidth,
                    a: gateGradients + step * n * gateWidth, aRowStride: gateWidth, aColumnStride: 1,
                    b: weights.recurrentWeights, bRowStride: hiddenSize,
                    c: da, cRowStride: hiddenSize, accumulate: false)
                clock = lap(clock, \.recurrentBackward)
            }
        }

        // Weight gradients of all steps in one product each (rows are (t, b) pairs):
        // dWaᵀ = Σ_t a_{t-1}ᵀ·dZ_t, dWxᵀ = Σ_t x_tᵀ·dZ_t, db_x = db_a = Σ_{t,b} dZ_t.
        // Step 0 contributes nothing to dWaᵀ (a_{-1} = 0), so its rows are skipped.
        let rows = steps * n
        MatrixProduct.multiply(
            m: hiddenSize, n: gateWidth, k: rows - n,
            a: hidden + n * hiddenSize, aRowStride: 1, aColumnStride: hiddenSize,
            b: gateGradients + n * gateWidth, bRowStride: gateWidth,
            c: gradients + layout.recurrentWeightsOffset, cRowStride: gateWidth, accumulate: false)
        MatrixProduct.multiply(
            m: input, n: gateWidth, k: rows,
            a: inputs, aRowStride: 1, aColumnStride: input,
            b: gateGradients, bRowStride: gateWidth,
            c: gradients + layout.inputWeightsOffset, cRowStride: gateWidth, accumulate: false)
        Linear.sumRows(gateGradients, rows: rows, columns: gateWidth, into: gradients + layout.inputBiasOffset)
        (gradients + layout.recurrentBiasOffset).update(from: gradients + layout.inputBiasOffset, count: gateWidth)
        _ = lap(clock, \.weightGradients)
    }
}
