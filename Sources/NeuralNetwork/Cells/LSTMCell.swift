/// The reference's LSTM cell: four gates (candidate c̃, update Γu, forget Γf, output Γo),
/// each a Linear on x_t plus a Linear on a_{t−1}, and a cell state c_t beside a_t.
/// The equations, their derivatives and how the blocks sit are in `LSTMCellEquations`.
public final class LSTMCell: RecurrentCell {
    public static let moduleName = "LSTM"
    /// Blocks in the order c̃, Γu, Γf, Γo, which is also the `state_dict` order.
    public static let gates = [
        RecurrentGate(suffix: "", block: 0), RecurrentGate(suffix: "_u", block: 1),
        RecurrentGate(suffix: "_f", block: 2), RecurrentGate(suffix: "_o", block: 3),
    ]

    let hiddenSize: Int
    /// c_t [T+1, n, H] with slot 0 the zero initial state, and tanh(c_t) [T, n, H] for backward.
    let cells: UnsafeMutablePointer<Float>
    let tanhCells: UnsafeMutablePointer<Float>
    /// ∂L/∂c carried from step t+1 to step t [n, H].
    let cellGradient: UnsafeMutablePointer<Float>

    public init(hiddenSize: Int, maxBatch: Int, maxSteps: Int, supportsBackward: Bool) {
        self.hiddenSize = hiddenSize
        cells = .allocate(capacity: (maxSteps + 1) * maxBatch * hiddenSize)
        cells.initialize(repeating: 0, count: (maxSteps + 1) * maxBatch * hiddenSize)
        tanhCells = .allocate(capacity: maxSteps * maxBatch * hiddenSize)
        tanhCells.initialize(repeating: 0, count: maxSteps * maxBatch * hiddenSize)
        cellGradient = .allocate(capacity: maxBatch * hiddenSize)
        cellGradient.initialize(repeating: 0, count: maxBatch * hiddenSize)
    }

    deinit {
        cells.deallocate()
        tanhCells.deallocate()
        cellGradient.deallocate()
    }

    /// c_t [n, H] after step `step` of the last forward pass of a batch of `batch`.
    public func cellState(afterStep step: Int, batch: Int) -> [Float] {
        Array(UnsafeBufferPointer(start: cells + (step + 1) * batch * hiddenSize, count: batch * hiddenSize))
    }
}

extension LSTMCell: UnitSplitCell {
    public func activate(_ step: RecurrentStep, units: Range<Int>) {
        let n = step.batch, hidden = step.hiddenSize, t = step.index
        if t == 0 {
            for sequence in 0..<n { (cells + sequence * hidden + units.lowerBound).update(repeating: 0, count: units.count) }
        }
        LSTMCellEquations.activate(
            gates: step.gates, previousCells: cells + t * n * hidden, cells: cells + (t + 1) * n * hidden,
            tanhCells: tanhCells + t * n * hidden, hidden: step.hidden, batch: n, hiddenSize: hidden, units: units)
    }

    public func differentiate(_ step: RecurrentStep, units: Range<Int>) {
        let n = step.batch, hidden = step.hiddenSize, t = step.index
        // Nothing flows into c_{T-1} but through a_{T-1}.
        if t == step.count - 1 {
            for sequence in 0..<n {
                (cellGradient + sequence * hidden + units.lowerBound).update(repeating: 0, count: units.count)
            }
        }
        LSTMCellEquations.gateGradients(
            gates: step.gates, previousCells: cells + t * n * hidden, tanhCells: tanhCells + t * n * hidden,
            hiddenGradient: step.hiddenGradient, cellGradient: cellGradient,
            gateGradients: step.gateGradients, batch: n, hiddenSize: hidden, units: units)
    }
}

extension RecurrentCellKind {
    public static let lstm = RecurrentCellKind(LSTMCell.self)
}
