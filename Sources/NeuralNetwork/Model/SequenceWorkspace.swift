/// Preallocated activations and the forward pass and backpropagation through time of a
/// sequence classifier (a recurrent cell over the steps, a Linear on the last state), for
/// any `RecurrentCell`.
///
/// One workspace serves one shard of a batch on one thread. Everything the hot loops touch
/// is allocated here once (or by the cell, in its own init), sized for `maxBatch` sequences
/// of `maxSteps` steps; a call with fewer (a smaller last batch) uses a prefix. Layouts are
/// time-major so each step's rows are contiguous for the recurrent products:
///   inputs  [T, n, I]      x_t for every sequence
///   gates   [T, n, G·H]    pre-activations, then what the cell keeps of step t
///   hidden  [T+1, n, H]    a_{t}, with slot 0 the zero initial state a_{-1}
public final class SequenceWorkspace {
    public let configuration: RecurrentConfiguration
    public let maxBatch: Int
    public let maxSteps: Int
    /// The cell's own state for this shard (an `LSTMCell` keeps c_t, a `GRUCell` Γr ⊙ a).
    public let cell: any RecurrentCell

    let inputs: UnsafeMutablePointer<Float>
    let gates: UnsafeMutablePointer<Float>
    let hidden: UnsafeMutablePointer<Float>
    let gateGradients: UnsafeMutablePointer<Float>
    /// `gateGradients` in 32-column panels for the weight-gradient products, packed step by
    /// step during the backward pass (see `RecurrentPass.packedGateGradients`).
    let packedGateGradients: PackedPanels
    /// The states a weight-gradient product reads, transposed into 8-row tiles (see
    /// `RecurrentPass.weightGradient`).
    let packedStates: PackedRowTiles
    let hiddenGradient: UnsafeMutablePointer<Float>
    /// Logits [n, O] of the last forward pass.
    public let logits: UnsafeMutablePointer<Float>
    /// dLoss/dLogits [n, O], filled by the loss before `backward`.
    public let logitGradients: UnsafeMutablePointer<Float>

    /// Batch size and sequence length of the last forward pass.
    public private(set) var batch = 0
    public private(set) var steps = 0

    /// Per-phase thread time of this workspace's passes (see `PhaseTimes`), when profiling.
    public let clock = PhaseClock()
    public var isProfiling: Bool {
        get { clock.isProfiling }
        set { clock.isProfiling = newValue }
    }
    public var phaseTimes: PhaseTimes {
        get { clock.times }
        set { clock.times = newValue }
    }

    /// Whether `backward` is available; inference workspaces skip the gradient buffers
    /// (half the memory).
    public let supportsBackward: Bool

    public init(configuration: RecurrentConfiguration, maxBatch: Int, maxSteps: Int, supportsBackward: Bool = true) {
        precondition(maxBatch > 0 && maxSteps > 0, "workspace needs a positive batch and step count")
        self.configuration = configuration
        self.supportsBackward = supportsBackward
        self.maxBatch = maxBatch
        self.maxSteps = maxSteps
        let input = configuration.inputSize, hiddenSize = configuration.hiddenSize
        let width = configuration.gateWidth, output = configuration.outputSize
        func zeroed(_ count: Int) -> UnsafeMutablePointer<Float> {
            let pointer = UnsafeMutablePointer<Float>.allocate(capacity: count)
            pointer.initialize(repeating: 0, count: count)
            return pointer
        }
        inputs = zeroed(maxSteps * maxBatch * input)
        gates = zeroed(maxSteps * maxBatch * width)
        hidden = zeroed((maxSteps + 1) * maxBatch * hiddenSize)
        gateGradients = zeroed(supportsBackward ? maxSteps * maxBatch * width : 1)
        packedGateGradients = supportsBackward
            ? PackedPanels(depth: maxSteps * maxBatch, blockWidth: hiddenSize, blockCount: configuration.cell.gates.count)
            : PackedPanels(depth: 0, blockWidth: 1, blockCount: 1)
        packedStates = PackedRowTiles(maxRows: supportsBackward ? hiddenSize : 0,
                                      maxDepth: supportsBackward ? maxSteps * maxBatch : 0)
        hiddenGradient = zeroed(maxBatch * hiddenSize)
        logits = zeroed(maxBatch * output)
        logitGradients = zeroed(maxBatch * output)
        cell = configuration.cell.cellType.init(
            hiddenSize: hiddenSize, maxBatch: maxBatch, maxSteps: maxSteps, supportsBackward: supportsBackward)
    }

    deinit {
        for pointer in [inputs, gates, hidden, gateGradients, hiddenGradient, logits, logitGradients] {
            pointer.deallocate()
        }
    }

    /// a_t [n, H] of the last forward pass, step t counted from 0.
    public func hiddenState(afterStep step: Int) -> [Float] {
        precondition(step >= 0 && step < steps, "step \(step) outside 0..<\(steps)")
        let size = batch * configuration.hiddenSize
        return Array(UnsafeBufferPointer(start: hidden + (step + 1) * size, count: size))
    }

    func step(_ index: Int) -> RecurrentStep {
        let n = batch, hiddenSize = configuration.hiddenSize, width = configuration.gateWidth
        return RecurrentStep(
            index: index, count: steps, batch: n, hiddenSize: hiddenSize, gateWidth: width,
            gates: gates + index * n * width,
            previousHidden: hidden + index * n * hiddenSize, hidden: hidden + (index + 1) * n * hiddenSize,
            gateGradients: gateGradients + index * n * width, hiddenGradient: hiddenGradient)
    }

    // MARK: Forward

    /// Runs the cell over `batch` sequences and the classifier on the last hidden state.
    /// - Parameters:
    ///   - sequences: [batch, steps, I] batch-first, as the reference feeds images (row = step).
    ///   - weights: the model's parameters with their derived copies.
    public func forward(sequences: UnsafePointer<Float>, batch n: Int, steps: Int, weights: RecurrentWeights) {
        precondition(weights.configuration == configuration, "weights and workspace disagree on sizes")
        let input = configuration.inputSize, width = configuration.gateWidth
        let inputs = inputs, gates = gates, cell = cell, clock = clock
        let parameters = UnsafePointer(weights.parameters.baseAddress!)
        let layout = weights.layout

        clock.begin()
        load(sequences: sequences, batch: n, steps: steps)
        // Input projection of all steps and gates in one product: Z[t·n + b] = x·Wxᵀ + (b_x + b_a).
        MatrixProduct.multiply(
            m: steps * n, n: width, k: input,
            a: inputs, aRowStride: input, aColumnStride: 1,
            b: parameters + layout.inputWeightsOffset, bRowStride: width,
            c: gates, cRowStride: width, accumulate: false, rowBias: weights.fusedGateBias)
        clock.lap(\.inputProjection)

        for index in 0..<steps {
            cell.forward(step(index), weights: weights, clock: clock)
        }
        classify(weights: weights)
        clock.lap(\.classifierAndLoss)
    }

    /// Takes a batch: its size and length, its inputs made time-major (so every step's
    /// inputs are one contiguous block), and the zero initial state a_{−1}.
    func load(sequences: UnsafePointer<Float>, batch n: Int, steps: Int) {
        precondition(n > 0 && n <= maxBatch, "batch \(n) outside 1...\(maxBatch)")
        precondition(steps > 0 && steps <= maxSteps, "sequence length \(steps) outside 1...\(maxSteps)")
        batch = n
        self.steps = steps
        let input = configuration.inputSize
        for sequence in 0..<n {
            for step in 0..<steps {
                (inputs + (step * n + sequence) * input)
                    .update(from: sequences + (sequence * steps + step) * input, count: input)
            }
        }
        hidden.update(repeating: 0, count: n * configuration.hiddenSize)
    }

    /// The classifier on the last hidden state: logits = a_T·Wcᵀ + b_c.
    func classify(weights: RecurrentWeights) {
        let parameters = UnsafePointer(weights.parameters.baseAddress!), layout = weights.layout
        let hiddenSize = configuration.hiddenSize
        Linear.forward(
            input: hidden + steps * batch * hiddenSize, batch: batch, inFeatures: hiddenSize,
            outFeatures: configuration.outputSize, transposedWeight: parameters + layout.classifierWeightsOffset,
            bias: parameters + layout.classifierBiasOffset, output: logits)
    }

    // MARK: Backward

    /// Backpropagation through time from `logitGradients` (which the loss filled) to the
    /// gradient of every parameter, written (not accumulated) into `gradients` in the
    /// model's flat layout. Uses the activations of the last `forward`.
    public func backward(weights: RecurrentWeights, gradients: UnsafeMutablePointer<Float>) {
        let n = batch, steps = steps
        precondition(supportsBackward, "this workspace was created for inference only")
        precondition(n > 0, "backward needs a forward pass first")
        let width = configuration.gateWidth
        let layout = weights.layout, cell = cell, clock = clock
        let gateGradients = gateGradients

        clock.begin()
        backpropagateClassifier(weights: weights, gradients: gradients)
        clock.lap(\.classifierAndLoss)

        for index in (0..<steps).reversed() {
            cell.backward(step(index), weights: weights, clock: clock)
            // dZ_t into the panels the weight gradients read, while it is still in cache.
            packedGateGradients.pack(from: gateGradients, rowStride: width, rows: index * n..<(index + 1) * n)
            clock.lap(\.weightGradients)
        }

        // Weight gradients of all steps in one product each (rows are (t, b) pairs).
        cell.recurrentWeightGradient(pass, into: gradients + layout.recurrentWeightsOffset)
        inputWeightGradients(into: gradients, layout: layout, panels: 0..<packedGateGradients.panelsPerBlock,
                             units: 0..<configuration.hiddenSize)
        clock.lap(\.weightGradients)
    }

    /// The buffers of the last forward pass, for the weight-gradient products.
    var pass: RecurrentPass {
        RecurrentPass(steps: steps, batch: batch, hiddenSize: configuration.hiddenSize,
                      gateWidth: configuration.gateWidth, hidden: hidden, gateGradients: gateGradients,
                      packedGateGradients: packedGateGradients, packedStates: packedStates)
    }

    /// dWxᵀ = Σ_t x_tᵀ·dZ_t and db_x = db_a = Σ_{t,b} dZ_t, written (not accumulated) for the
    /// columns of `panels` in every block, which hold the units `units`: all of them here,
    /// one thread's share in a column-split pass.
    func inputWeightGradients(
        into gradients: UnsafeMutablePointer<Float>, layout: ParameterLayout, panels: Range<Int>, units: Range<Int>
    ) {
        let rows = steps * batch, width = configuration.gateWidth, hiddenSize = configuration.hiddenSize
        MatrixProduct.multiply(
            m: configuration.inputSize, a: inputs, aRowStride: 1, aColumnStride: configuration.inputSize,
            packed: packedGateGradients, rows: 0..<rows, blocks: 0..<packedGateGradients.blockCount, panels: panels,
            c: gradients + layout.inputWeightsOffset, cRowStride: width, accumulate: false)
        for block in 0..<packedGateGradients.blockCount {
            let column = block * hiddenSize + units.lowerBound
            Linear.sumRows(gateGradients + column, rows: rows, columns: units.count, rowStride: width,
                           into: gradients + layout.inputBiasOffset + column)
            (gradients + layout.recurrentBiasOffset + column)
                .update(from: gradients + layout.inputBiasOffset + column, count: units.count)
        }
    }

    /// Classifier: dWcᵀ = a_Tᵀ·dLogits, db_c = Σ_rows dLogits, and da_T = dLogits·Wc into
    /// `hiddenGradient`, where backpropagation through time starts.
    func backpropagateClassifier(weights: RecurrentWeights, gradients: UnsafeMutablePointer<Float>) {
        let hiddenSize = configuration.hiddenSize, layout = weights.layout
        Linear.backward(
            input: hidden + steps * batch * hiddenSize, outputGradient: logitGradients, batch: batch,
            inFeatures: hiddenSize, outFeatures: configuration.outputSize, weight: weights.classifierWeights,
            transposedWeightGradient: gradients + layout.classifierWeightsOffset,
            biasGradient: gradients + layout.classifierBiasOffset, inputGradient: hiddenGradient)
    }

    /// ∂L/∂x_t of the last `backward`, batch-first [n, T, I] like the input: dX_t = dZ_t·Wx.
    /// Not part of training (which never needs it); it shows how far back the loss reaches.
    public func inputGradients(weights: RecurrentWeights) -> [Float] {
        precondition(supportsBackward && batch > 0, "input gradients need a forward and backward pass")
        let n = batch, steps = steps, input = configuration.inputSize, width = configuration.gateWidth
        let stacked = weights.stackedInputWeights()
        var timeMajor = [Float](repeating: 0, count: steps * n * input)
        timeMajor.withUnsafeMutableBufferPointer { buffer in
            stacked.withUnsafeBufferPointer { wx in
                MatrixProduct.multiply(
                    m: steps * n, n: input, k: width,
                    a: gateGradients, aRowStride: width, aColumnStride: 1,
                    b: wx.baseAddress!, bRowStride: input,
                    c: buffer.baseAddress!, cRowStride: input, accumulate: false)
            }
        }
        var batchFirst = [Float](repeating: 0, count: timeMajor.count)
        for sequence in 0..<n {
            for step in 0..<steps {
                for feature in 0..<input {
                    batchFirst[(sequence * steps + step) * input + feature] = timeMajor[(step * n + sequence) * input + feature]
                }
            }
        }
        return batchFirst
    }
}
