/// The gated recurrent unit in the reference's notation (a_t doubles as the memory c_t):
///   Γr = σ(x_t_r(x) + a_t_r(a_{t−1}))            reset gate
///   Γu = σ(x_t_u(x) + a_t_u(a_{t−1}))            update gate
///   c̃  = tanh(x_t(x) + a_t(Γr ⊙ a_{t−1}))        candidate
///   a_t = Γu ⊙ c̃ + (1 − Γu) ⊙ a_{t−1}
/// Each term is its own Linear with a bias; in particular the candidate's recurrent bias sits
/// outside the reset gate (a_t(Γr ⊙ a) = Wa·(Γr ⊙ a) + b_a), unlike `torch.nn.GRU`.
///
/// Γr and Γu take the first two column blocks, so one product adds both recurrent terms; the
/// candidate's term can only follow once Γr is known, as a second, H-wide product.
public final class GRUCell: RecurrentCell {
    public static let moduleName = "GRU"
    /// `state_dict` order is candidate, reset, update; the blocks are reset, update, candidate.
    public static let gates = [
        RecurrentGate(suffix: "", block: 2), RecurrentGate(suffix: "_r", block: 0),
        RecurrentGate(suffix: "_u", block: 1),
    ]

    let hiddenSize: Int
    /// Γr ⊙ a_{t−1} for every step [T+1, n, H], slot t+1 for step t (slot 0 unused, so the
    /// weight-gradient product reads the same rows as a_{t−1}).
    let resetHidden: UnsafeMutablePointer<Float>
    /// ∂L/∂(Γr ⊙ a_{t−1}) of the current backward step [n, H].
    let resetHiddenGradient: UnsafeMutablePointer<Float>

    public init(hiddenSize: Int, maxBatch: Int, maxSteps: Int, supportsBackward: Bool) {
        self.hiddenSize = hiddenSize
        resetHidden = .allocate(capacity: (maxSteps + 1) * maxBatch * hiddenSize)
        resetHidden.initialize(repeating: 0, count: (maxSteps + 1) * maxBatch * hiddenSize)
        resetHiddenGradient = .allocate(capacity: maxBatch * hiddenSize)
        resetHiddenGradient.initialize(repeating: 0, count: maxBatch * hiddenSize)
    }

    deinit {
        resetHidden.deallocate()
        resetHiddenGradient.deallocate()
    }

    public func forward(_ step: RecurrentStep, weights: RecurrentWeights, clock: PhaseClock) {
        let n = step.batch, hidden = step.hiddenSize, width = step.gateWidth, t = step.index
        let z = step.gates, previous = step.previousHidden, gated = resetHidden + (t + 1) * n * hidden
        let packedWaT = weights.packedTransposedRecurrentWeights
        // z_r, z_u += a_{t−1}·[Wa_r; Wa_u]ᵀ in one product (nothing to add at t = 0).
        if t > 0 {
            MatrixProduct.multiply(
                m: n, a: previous, aRowStride: hidden, aColumnStride: 1,
                packed: packedWaT, rows: 0..<hidden, blocks: 0..<2, c: z, cRowStride: width, accumulate: true)
        }
        clock.lap(\.recurrentForward)
        GRUCellEquations.gates(gates: z, previousHidden: previous, resetHidden: gated, batch: n, hiddenSize: hidden)
        clock.lap(\.activations)
        // z_c += (Γr ⊙ a_{t−1})·Wa_cᵀ
        if t > 0 {
            MatrixProduct.multiply(
                m: n, a: gated, aRowStride: hidden, aColumnStride: 1,
                packed: packedWaT, rows: 0..<hidden, blocks: 2..<3, c: z + 2 * hidden, cRowStride: width,
                accumulate: true)
        }
        clock.lap(\.recurrentForward)
        GRUCellEquations.update(gates: z, previousHidden: previous, hidden: step.hidden, batch: n, hiddenSize: hidden)
        clock.lap(\.activations)
    }

    public func backward(_ step: RecurrentStep, weights: RecurrentWeights, clock: PhaseClock) {
        let n = step.batch, hidden = step.hiddenSize, width = step.gateWidth, t = step.index
        let dz = step.gateGradients, da = step.hiddenGradient
        GRUCellEquations.updateGradients(
            gates: step.gates, previousHidden: step.previousHidden, hiddenGradient: da, gateGradients: dz,
            batch: n, hiddenSize: hidden)
        clock.lap(\.gateBackward)
        guard t > 0 else {
            // a_{−1} = 0: the reset gate had nothing to scale, so its gradient is zero.
            for row in 0..<n { (dz + row * width).update(repeating: 0, count: hidden) }
            return
        }
        // ∂L/∂(Γr ⊙ a_{t−1}) = ∂L/∂z_c · Wa_c
        MatrixProduct.multiply(
            m: n, a: dz + 2 * hidden, aRowStride: width, aColumnStride: 1,
            packed: weights.packedRecurrentWeights, rows: (2 * hidden)..<(3 * hidden), blocks: 0..<1,
            c: resetHiddenGradient, cRowStride: hidden, accumulate: false)
        clock.lap(\.recurrentBackward)
        GRUCellEquations.resetGradients(
            gates: step.gates, previousHidden: step.previousHidden, resetHiddenGradient: resetHiddenGradient,
            hiddenGradient: da, gateGradients: dz, batch: n, hiddenSize: hidden)
        clock.lap(\.gateBackward)
        // ∂L/∂a_{t−1} += [∂L/∂z_r, ∂L/∂z_u]·[Wa_r; Wa_u]
        MatrixProduct.multiply(
            m: n, a: dz, aRowStride: width, aColumnStride: 1,
            packed: weights.packedRecurrentWeights, rows: 0..<(2 * hidden), blocks: 0..<1,
            c: da, cRowStride: hidden, accumulate: true)
        clock.lap(\.recurrentBackward)
    }

    /// dWa_{r,u}ᵀ = Σ_t a_{t−1}ᵀ·dZ_{r,u}; dWa_cᵀ = Σ_t (Γr ⊙ a_{t−1})ᵀ·dZ_c (step 0 adds nothing).
    public func recurrentWeightGradient(_ pass: RecurrentPass, into gradient: UnsafeMutablePointer<Float>) {
        let n = pass.batch, hidden = pass.hiddenSize
        pass.weightGradient(states: pass.recurrentInputs, blocks: 0..<2, into: gradient)
        pass.weightGradient(states: resetHidden + 2 * n * hidden, blocks: 2..<3, into: gradient + 2 * hidden)
    }
}

extension RecurrentCellKind {
    public static let gru = RecurrentCellKind(GRUCell.self)
}
