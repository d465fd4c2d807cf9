/// The LSTM cell's equations and their derivatives, elementwise over one time step of a
/// batch laid out as in `SequenceWorkspace` (gates [n, 4H] with blocks c̃, Γu, Γf, Γo; states [n, H]).
/// `units` (all by default) limits a call to the hidden units one thread of a split pass owns;
/// every unit is computed alone, so a split changes no value.
/// Each loop runs its block function over 16-lane blocks of units (`forEachLaneBlock`).
public enum LSTMCellEquations {
    /// The cell equations of one step, on every sequence of the batch:
    ///   c̃ = tanh(z_c), Γu = σ(z_u), Γf = σ(z_f), Γo = σ(z_o)
    ///   c_t = Γu ⊙ c̃ + Γf ⊙ c_{t-1}
    ///   a_t = Γo ⊙ tanh(c_t)
    /// The activated gates overwrite their pre-activations (the backward pass needs only those).
    @inlinable
    public static func activate(
        gates: UnsafeMutablePointer<Float>, previousCells: UnsafePointer<Float>,
        cells: UnsafeMutablePointer<Float>, tanhCells: UnsafeMutablePointer<Float>,
        hidden: UnsafeMutablePointer<Float>, batch: Int, hiddenSize: Int, units: Range<Int>? = nil
    ) {
        let gateWidth = 4 * hiddenSize
        let units = units ?? 0..<hiddenSize
        for sequence in 0..<batch {
            let z = gates + sequence * gateWidth
            let offset = sequence * hiddenSize
            @_transparent func block(_ unit: Int, _ width: Int) {
                activateBlock(z + unit, previousCells + offset + unit, cells + offset + unit,
                              tanhCells + offset + unit, hidden + offset + unit, hiddenSize: hiddenSize, width: width)
            }
            forEachLaneBlock(in: units, block)
        }
    }

    @_transparent @usableFromInline
    static func activateBlock(
        _ z: UnsafeMutablePointer<Float>, _ previousCells: UnsafePointer<Float>,
        _ cells: UnsafeMutablePointer<Float>, _ tanhCells: UnsafeMutablePointer<Float>,
        _ hidden: UnsafeMutablePointer<Float>, hiddenSize: Int, width: Int
    ) {
        let candidate = VectorMath.tanh(loadPartial(z, count: width))
        let update = VectorMath.sigmoid(loadPartial(z + hiddenSize, count: width))
        let forget = VectorMath.sigmoid(loadPartial(z + 2 * hiddenSize, count: width))
        let outputGate = VectorMath.sigmoid(loadPartial(z + 3 * hiddenSize, count: width))
        let cell = (update * candidate).addingProduct(forget, loadPartial(previousCells, count: width))
        let tanhCell = VectorMath.tanh(cell)
        storePartial(candidate, z, count: width)
        storePartial(update, z + hiddenSize, count: width)
        storePartial(forget, z + 2 * hiddenSize, count: width)
        storePartial(outputGate, z + 3 * hiddenSize, count: width)
        storePartial(cell, cells, count: width)
        storePartial(tanhCell, tanhCells, count: width)
        storePartial(outputGate * tanhCell, hidden, count: width)
    }

    /// One step of the cell equations differentiated, given da = ∂L/∂a_t (from the
    /// classifier or step t+1) and dc = ∂L/∂c_t carried from step t+1:
    ///   ∂L/∂z_o = da ⊙ tanh(c_t) ⊙ Γo(1 − Γo)
    ///   dc_t    = dc + da ⊙ Γo ⊙ (1 − tanh²(c_t))
    ///   ∂L/∂z_c = dc_t ⊙ Γu ⊙ (1 − c̃²)
    ///   ∂L/∂z_u = dc_t ⊙ c̃ ⊙ Γu(1 − Γu)
    ///   ∂L/∂z_f = dc_t ⊙ c_{t-1} ⊙ Γf(1 − Γf)
    ///   dc ← dc_t ⊙ Γf   (what c_{t-1} receives)
    @inlinable
    public static func gateGradients(
        gates: UnsafePointer<Float>, previousCells: UnsafePointer<Float>,
        tanhCells: UnsafePointer<Float>, hiddenGradient: UnsafePointer<Float>,
        cellGradient: UnsafeMutablePointer<Float>, gateGradients: UnsafeMutablePointer<Float>,
        batch: Int, hiddenSize: Int, units: Range<Int>? = nil
    ) {
        let gateWidth = 4 * hiddenSize
        let units = units ?? 0..<hiddenSize
        for sequence in 0..<batch {
            let g = gates + sequence * gateWidth
            let dz = gateGradients + sequence * gateWidth
            let offset = sequence * hiddenSize
            @_transparent func block(_ unit: Int, _ width: Int) {
                gateGradientBlock(g + unit, previousCells + offset + unit, tanhCells + offset + unit,
                                  hiddenGradient + offset + unit, cellGradient + offset + unit, dz + unit,
                                  hiddenSize: hiddenSize, width: width)
            }
            forEachLaneBlock(in: units, block)
        }
    }

    @_transparent @usableFromInline
    static func gateGradientBlock(
        _ g: UnsafePointer<Float>, _ previousCells: UnsafePointer<Float>, _ tanhCells: UnsafePointer<Float>,
        _ hiddenGradient: UnsafePointer<Float>, _ cellGradient: UnsafeMutablePointer<Float>,
        _ dz: UnsafeMutablePointer<Float>, hiddenSize: Int, width: Int
    ) {
        let candidate = loadPartial(g, count: width)
        let update = loadPartial(g + hiddenSize, count: width)
        let forget = loadPartial(g + 2 * hiddenSize, count: width)
        let outputGate = loadPartial(g + 3 * hiddenSize, count: width)
        let tanhCell = loadPartial(tanhCells, count: width)
        let previous = loadPartial(previousCells, count: width)
        let da = loadPartial(hiddenGradient, count: width)
        let dcCarried = loadPartial(cellGradient, count: width)

        let dzOutput = da * tanhCell * outputGate * (1 - outputGate)
        let dcTotal = dcCarried + da * outputGate * (1 - tanhCell * tanhCell)
        let dzCandidate = dcTotal * update * (1 - candidate * candidate)
        let dzUpdate = dcTotal * candidate * update * (1 - update)
        let dzForget = dcTotal * previous * forget * (1 - forget)

        storePartial(dzCandidate, dz, count: width)
        storePartial(dzUpdate, dz + hiddenSize, count: width)
        storePartial(dzForget, dz + 2 * hiddenSize, count: width)
        storePartial(dzOutput, dz + 3 * hiddenSize, count: width)
        storePartial(dcTotal * forget, cellGradient, count: width)
    }

}
