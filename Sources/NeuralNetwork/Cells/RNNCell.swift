/// The plain (Elman) recurrent cell, the reference's starting point before gates:
///   a_t = tanh(x_t(x) + a_t(a_{t−1}))
/// with `x_t` and `a_t` Linears (each with a bias). Nothing protects the gradient from
/// shrinking by a factor (1 − a²)·Wa at every step, which is what the LSTM and GRU fix.
public final class RNNCell: RecurrentCell {
    public static let moduleName = "RNN"
    public static let gates = [RecurrentGate(suffix: "", block: 0)]

    public init(hiddenSize: Int, maxBatch: Int, maxSteps: Int, supportsBackward: Bool) {}

    // Block functions for `forEachLaneBlock`, as in `LSTMCellEquations`.
    @inline(__always)
    static func activateBlock(_ gates: UnsafeMutablePointer<Float>, _ hidden: UnsafeMutablePointer<Float>, width: Int) {
        let a = VectorMath.tanh(loadPartial(gates, count: width))
        storePartial(a, gates, count: width)
        storePartial(a, hidden, count: width)
    }

    @inline(__always)
    static func gradientBlock(
        _ a: UnsafePointer<Float>, _ da: UnsafePointer<Float>, _ dz: UnsafeMutablePointer<Float>, width: Int
    ) {
        let activation = loadPartial(a, count: width)
        storePartial(loadPartial(da, count: width) * (1 - activation * activation), dz, count: width)
    }
}

extension RNNCell: UnitSplitCell {
    /// a_t = tanh(z_t), kept in both places: `gates` for the backward pass, `hidden` for the next step.
    public func activate(_ step: RecurrentStep, units: Range<Int>) {
        let hidden = step.hiddenSize
        for sequence in 0..<step.batch {
            let gates = step.gates + sequence * hidden, output = step.hidden + sequence * hidden
            @_transparent func block(_ unit: Int, _ width: Int) { Self.activateBlock(gates + unit, output + unit, width: width) }
            forEachLaneBlock(in: units, block)
        }
    }

    /// ∂L/∂z_t = ∂L/∂a_t ⊙ (1 − a_t²)
    public func differentiate(_ step: RecurrentStep, units: Range<Int>) {
        let hidden = step.hiddenSize
        for sequence in 0..<step.batch {
            let a = step.gates + sequence * hidden, da = step.hiddenGradient + sequence * hidden
            let dz = step.gateGradients + sequence * hidden
            @_transparent func block(_ unit: Int, _ width: Int) { Self.gradientBlock(a + unit, da + unit, dz + unit, width: width) }
            forEachLaneBlock(in: units, block)
        }
    }
}

extension RecurrentCellKind {
    public static let rnn = RecurrentCellKind(RNNCell.self)
}
