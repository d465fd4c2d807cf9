/// The GRU's elementwise equations and their derivatives over one time step, on a batch laid
/// out as in `SequenceWorkspace` (gates [n, 3H] with blocks Γr, Γu, c̃; states [n, H]).
/// Like `LSTMCellEquations`, each loop runs a block function over 16-lane blocks of units
/// (`forEachLaneBlock`).
public enum GRUCellEquations {
    /// Γr = σ(z_r), Γu = σ(z_u) (overwriting their pre-activations), and Γr ⊙ a_{t−1}.
    @inlinable
    public static func gates(
        gates: UnsafeMutablePointer<Float>, previousHidden: UnsafePointer<Float>,
        resetHidden: UnsafeMutablePointer<Float>, batch: Int, hiddenSize: Int
    ) {
        for sequence in 0..<batch {
            let z = gates + sequence * 3 * hiddenSize, offset = sequence * hiddenSize
            @_transparent func block(_ unit: Int, _ width: Int) {
                gatesBlock(z + unit, previousHidden + offset + unit, resetHidden + offset + unit,
                           hiddenSize: hiddenSize, width: width)
            }
            forEachLaneBlock(in: 0..<hiddenSize, block)
        }
    }

    @_transparent @usableFromInline
    static func gatesBlock(
        _ z: UnsafeMutablePointer<Float>, _ previous: UnsafePointer<Float>, _ gated: UnsafeMutablePointer<Float>,
        hiddenSize: Int, width: Int
    ) {
        let reset = VectorMath.sigmoid(loadPartial(z, count: width))
        let update = VectorMath.sigmoid(loadPartial(z + hiddenSize, count: width))
        storePartial(reset, z, count: width)
        storePartial(update, z + hiddenSize, count: width)
        storePartial(reset * loadPartial(previous, count: width), gated, count: width)
    }

    /// c̃ = tanh(z_c) (overwriting z_c) and a_t = Γu ⊙ c̃ + (1 − Γu) ⊙ a_{t−1}.
    @inlinable
    public static func update(
        gates: UnsafeMutablePointer<Float>, previousHidden: UnsafePointer<Float>,
        hidden: UnsafeMutablePointer<Float>, batch: Int, hiddenSize: Int
    ) {
        for sequence in 0..<batch {
            let z = gates + sequence * 3 * hiddenSize, offset = sequence * hiddenSize
            @_transparent func block(_ unit: Int, _ width: Int) {
                updateBlock(z + unit, previousHidden + offset + unit, hidden + offset + unit,
                            hiddenSize: hiddenSize, width: width)
            }
            forEachLaneBlock(in: 0..<hiddenSize, block)
        }
    }

    @_transparent @usableFromInline
    static func updateBlock(
        _ z: UnsafeMutablePointer<Float>, _ previous: UnsafePointer<Float>, _ hidden: UnsafeMutablePointer<Float>,
        hiddenSize: Int, width: Int
    ) {
        let update = loadPartial(z + hiddenSize, count: width)
        let candidate = VectorMath.tanh(loadPartial(z + 2 * hiddenSize, count: width))
        storePartial(candidate, z + 2 * hiddenSize, count: width)
        storePartial(update * candidate + (1 - update) * loadPartial(previous, count: width), hidden, count: width)
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
        for sequence in 0..<batch {
            let g = gates + sequence * 3 * hiddenSize, dz = gateGradients + sequence * 3 * hiddenSize
            let offset = sequence * hiddenSize
            @_transparent func block(_ unit: Int, _ width: Int) {
                updateGradientBlock(g + unit, previousHidden + offset + unit, hiddenGradient + offset + unit, dz + unit,
                                    hiddenSize: hiddenSize, width: width)
            }
            forEachLaneBlock(in: 0..<hiddenSize, block)
        }
    }

    @_transparent @usableFromInline
    static func updateGradientBlock(
        _ g: UnsafePointer<Float>, _ previous: UnsafePointer<Float>, _ hiddenGradient: UnsafeMutablePointer<Float>,
        _ dz: UnsafeMutablePointer<Float>, hiddenSize: Int, width: Int
    ) {
        let update = loadPartial(g + hiddenSize, count: width)
        let candidate = loadPartial(g + 2 * hiddenSize, count: width)
        let da = loadPartial(hiddenGradient, count: width)
        storePartial(da * update * (1 - candidate * candidate), dz + 2 * hiddenSize, count: width)
        storePartial(da * (candidate - loadPartial(previous, count: width)) * update * (1 - update),
                     dz + hiddenSize, count: width)
        storePartial(da * (1 - update), hiddenGradient, count: width)
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
        for sequence in 0..<batch {
            let g = gates + sequence * 3 * hiddenSize, dz = gateGradients + sequence * 3 * hiddenSize
            let offset = sequence * hiddenSize
            @_transparent func block(_ unit: Int, _ width: Int) {
                resetGradientBlock(g + unit, previousHidden + offset + unit, resetHiddenGradient + offset + unit,
                                   hiddenGradient + offset + unit, dz + unit, width: width)
            }
            forEachLaneBlock(in: 0..<hiddenSize, block)
        }
    }

    @_transparent @usableFromInline
    static func resetGradientBlock(
        _ g: UnsafePointer<Float>, _ previous: UnsafePointer<Float>, _ gatedGradient: UnsafePointer<Float>,
        _ hiddenGradient: UnsafeMutablePointer<Float>, _ dz: UnsafeMutablePointer<Float>, width: Int
    ) {
        let reset = loadPartial(g, count: width)
        let dGated = loadPartial(gatedGradient, count: width)
        storePartial(dGated * loadPartial(previous, count: width) * reset * (1 - reset), dz, count: width)
        storePartial(loadPartial(hiddenGradient, count: width) + dGated * reset, hiddenGradient, count: width)
    }
}
