/// The plain (Elman) recurrent cell, the reference's starting point before gates:
///   a_t = tanh(x_t(x) + a_t(a_{t−1}))
/// with `x_t` and `a_t` Linears (each with a bias). Nothing protects the gradient from
/// shrinking by a factor (1 − a²)·Wa at every step, which is what the LSTM and GRU fix.
public final class RNNCell: RecurrentCell {
    public static let moduleName = "RNN"
    public static let gates = [RecurrentGate(suffix: "", block: 0)]

    public init(hiddenSize: Int, maxBatch: Int, maxSteps: Int, supportsBackward: Bool) {}

    public func forward(_ step: RecurrentStep, weights: RecurrentWeights, clock: PhaseClock) {
        let n = step.batch, hidden = step.hiddenSize
        // z_t = x_t(x) + a_t(a_{t−1}): the input half is already in `gates`.
        if step.index > 0 {
            MatrixProduct.multiply(
                m: n, a: step.previousHidden, aRowStride: hidden, aColumnStride: 1,
                packed: weights.packedTransposedRecurrentWeights, rows: 0..<hidden, blocks: 0..<1,
                c: step.gates, cRowStride: hidden, accumulate: true)
        }
        clock.lap(\.recurrentForward)
        activate(step, units: 0..<hidden)
        clock.lap(\.activations)
    }

    public func backward(_ step: RecurrentStep, weights: RecurrentWeights, clock: PhaseClock) {
        let n = step.batch, hidden = step.hiddenSize
        differentiate(step, units: 0..<hidden)
        clock.lap(\.gateBackward)
        if step.index > 0 {
            // ∂L/∂a_{t−1} = ∂L/∂z_t · Wa
            MatrixProduct.multiply(
                m: n, a: step.gateGradients, aRowStride: hidden, aColumnStride: 1,
                packed: weights.packedRecurrentWeights, rows: 0..<hidden, blocks: 0..<1,
                c: step.hiddenGradient, cRowStride: hidden, accumulate: false)
            clock.lap(\.recurrentBackward)
        }
    }

    // Block functions with the width a literal 16 in the main loops, as in `LSTMCellEquations`.
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
            var unit = units.lowerBound
            while unit + 16 <= units.upperBound {
                Self.activateBlock(gates + unit, output + unit, width: 16)
                unit += 16
            }
            if unit < units.upperBound { Self.activateBlock(gates + unit, output + unit, width: units.upperBound - unit) }
        }
    }

    /// ∂L/∂z_t = ∂L/∂a_t ⊙ (1 − a_t²)
    public func differentiate(_ step: RecurrentStep, units: Range<Int>) {
        let hidden = step.hiddenSize
        for sequence in 0..<step.batch {
            let a = step.gates + sequence * hidden, da = step.hiddenGradient + sequence * hidden
            let dz = step.gateGradients + sequence * hidden
            var unit = units.lowerBound
            while unit + 16 <= units.upperBound {
                Self.gradientBlock(a + unit, da + unit, dz + unit, width: 16)
                unit += 16
            }
            if unit < units.upperBound { Self.gradientBlock(a + unit, da + unit, dz + unit, width: units.upperBound - unit) }
        }
    }
}

extension RecurrentCellKind {
    public static let rnn = RecurrentCellKind(RNNCell.self)
}
