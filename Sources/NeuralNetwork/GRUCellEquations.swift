/// The GRU's elementwise equations and their derivatives over one time step, on a batch laid
/// out as in `SequenceWorkspace` (gates [n, 3H] with blocks Γr, Γu, c̃; states [n, H]).
/// Loops run over 16-lane blocks with a partial block for H not a multiple of 16.
public enum GRUCellEquations {
    /// Γr = σ(z_r), Γu = σ(z_u) (overwriting their pre-activations), and Γr ⊙ a_{t−1}.
    @inlinable
    public static func gates(
        gates: UnsafeMutablePointer<Float>, previousHidden: UnsafePointer<Float>,
        resetHidden: UnsafeMutablePointer<Float>, batch: Int, hiddenSize: Int
    ) {
        let width = 3 * hiddenSize
        for sequence in 0..<batch {
            let z = gates + sequence * width, offset = sequence * hiddenSize
            var unit = 0
            while unit < hiddenSize {
                let lanes = min(16, hiddenSize - unit)
                let reset = VectorMath.sigmoid(loadPartial(z + unit, count: lanes))
                let update = VectorMath.sigmoid(loadPartial(z + hiddenSize + unit, count: lanes))
                storePartial(reset, z + unit, count: lanes)
                storePartial(update, z + hiddenSize + unit, count: lanes)
                storePartial(reset * loadPartial(previousHidden + offset + unit, count: lanes),
                             resetHidden + offset + unit, count: lanes)
                unit += lanes
            }
        }
    }

    /// c̃ = tanh(z_c) (overwriting z_c) and a_t = Γu ⊙ c̃ + (1 − Γu) ⊙ a_{t−1}.
    @inlinable
    public static func update(
        gates: UnsafeMutablePointer<Float>, previousHidden: UnsafePointer<Float>,
        hidden: UnsafeMutablePointer<Float>, batch: Int, hiddenSize: Int
    ) {
        let width = 3 * hiddenSize
        for sequence in 0..<batch {
            let z = gates + sequence * width, offset = sequence * hiddenSize
            var unit = 0
            while unit < hiddenSize {
                let lanes = min(16, hiddenSize - unit)
                let update = loadPartial(z + hiddenSize + unit, count: lanes)
                let candidate = VectorMath.tanh(loadPartial(z + 2 * hiddenSize + unit, count: lanes))
                let previous = loadPartial(previousHidden + offset + unit, count: lanes)
                storePartial(candidate, z + 2 * hiddenSize + unit, count: lanes)
                storePartial(update * candidate + (1 - update) * previous, hidden + offset + unit, count: lanes)
                unit += lanes
            }
        }
    }

    /// From da = ∂L/∂a_t, the gradients that do not wait for the reset path:
    ///   ∂L/∂z_c = da ⊙ Γu ⊙ (1 − c̃²)
    ///   ∂L/∂z_u = da ⊙ (c̃ − a_{t−1}) ⊙ Γu(1 − Γu)
    ///   da ← da ⊙ (1 − Γu)      (the direct path to a_{t−1}; the rest is added later)
    @inlinable
    public static func updateGradients(
        gates: UnsafePointer<Float>, previousHidden: UnsafePointer<Float>,
        hiddenGradient: UnsafeMutablePointer<Float>, gateGradients: UnsafeMutablePointer<Float>,
        batch: Int, hiddenSize: Int
    ) {
        let width = 3 * hiddenSize
        for sequence in 0..<batch {
            let g = gates + sequence * width, dz = gateGradients + sequence * width
            let offset = sequence * hiddenSize
            var unit = 0
            while unit < hiddenSize {
                let lanes = min(16, hiddenSize - unit)
                let update = loadPartial(g + hiddenSize + unit, count: lanes)
                let candidate = loadPartial(g + 2 * hiddenSize + unit, count: lanes)
                let previous = loadPartial(previousHidden + offset + unit, count: lanes)
                let da = loadPartial(hiddenGradient + offset + unit, count: lanes)
                storePartial(da * update * (1 - candidate * candidate), dz + 2 * hiddenSize + unit, count: lanes)
                storePartial(da * (candidate - previous) * update * (1 - update), dz + hiddenSize + unit, count: lanes)
                storePartial(da * (1 - update), hiddenGradient + offset + unit, count: lanes)
                unit += lanes
            }
        }
    }

    /// Given d(Γr ⊙ a) = ∂L/∂(Γr ⊙ a_{t−1}):
    ///   ∂L/∂z_r = d(Γr ⊙ a) ⊙ a_{t−1} ⊙ Γr(1 − Γr)
    ///   da     += d(Γr ⊙ a) ⊙ Γr
    @inlinable
    public static func resetGradients(
        gates: UnsafePointer<Float>, previousHidden: UnsafePointer<Float>,
        resetHiddenGradient: UnsafePointer<Float>, hiddenGradient: UnsafeMutablePointer<Float>,
        gateGradients: UnsafeMutablePointer<Float>, batch: Int, hiddenSize: Int
    ) {
        let width = 3 * hiddenSize
        for sequence in 0..<batch {
            let g = gates + sequence * width, dz = gateGradients + sequence * width
            let offset = sequence * hiddenSize
            var unit = 0
            while unit < hiddenSize {
                let lanes = min(16, hiddenSize - unit)
                let reset = loadPartial(g + unit, count: lanes)
                let previous = loadPartial(previousHidden + offset + unit, count: lanes)
                let dGated = loadPartial(resetHiddenGradient + offset + unit, count: lanes)
                storePartial(dGated * previous * reset * (1 - reset), dz + unit, count: lanes)
                let da = loadPartial(hiddenGradient + offset + unit, count: lanes)
                storePartial(da + dGated * reset, hiddenGradient + offset + unit, count: lanes)
                unit += lanes
            }
        }
    }
}
