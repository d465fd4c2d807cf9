/// A cell whose step two threads can share by hidden units, so that each thread multiplies
/// every sequence of the batch by its own half of the recurrent weights (see
/// `ColumnSplitPass`).
///
/// What makes a cell splittable: one recurrent product per step that reads a_{t−1} for
/// every gate, followed by an update in which hidden unit j needs only the columns of unit
/// j in each gate block; and, backward, gate gradients of unit j that need only ∂L/∂a_t and
/// the cell's own state at unit j, followed by one product dZ_t·Wa. A thread that owns the
/// columns of units U in every block can then compute a_t[U] alone after its product, and
/// one barrier per step (everyone needs all of a_t next) suffices. The LSTM and the RNN are
/// like this; the GRU is not (its candidate's product reads Γr ⊙ a_{t−1} of every unit,
/// which needs a second barrier), so it keeps the half-batch split.
///
/// A conforming cell writes only `activate` and `differentiate`: its `forward` and `backward`
/// are `UnitSplitStep` on one shard, the same code the split pass runs on its columns, and
/// its `recurrentWeightGradient` must be the default, which the split pass computes itself.
public protocol UnitSplitCell: RecurrentCell {
    /// The update of step t for hidden units `units` of every sequence, once their columns of
    /// `step.gates` hold the complete pre-activations; writes a_t[units].
    func activate(_ step: RecurrentStep, units: Range<Int>)

    /// The gate gradients of step t for units `units`, from ∂L/∂a_t[units]: fills those
    /// units' columns of `step.gateGradients` in every block.
    func differentiate(_ step: RecurrentStep, units: Range<Int>)
}

/// One shard's part in a unit-split step: its cell, which holds the shard's own state, and
/// the buffers of step t. The cell is held `unowned(unsafe)` because its workspace outlives
/// every step, and a strong reference would retain and release it at every step of the loop.
struct UnitSplitShard {
    unowned(unsafe) let cell: any UnitSplitCell
    let step: RecurrentStep
}

/// Step t of a unit-split cell on one or more shards of a batch, for the columns of the
/// panels `panels` in every gate block and the hidden units `units` those columns hold.
///
/// Why one type for both passes: the sequence workspace runs a step as one shard with every
/// panel (a unit-split cell's `forward` and `backward`), the column-split pass as all shards
/// with the panels one thread owns, waiting at its barriers between the calls. Since both
/// compute through this code, their gradients are bit-identical by construction.
struct UnitSplitStep {
    let shards: UnsafeBufferPointer<UnitSplitShard>
    let panels: Range<Int>
    let units: Range<Int>
    /// Scratch for the grouped products, one row group per shard.
    let groups: UnsafeMutablePointer<RowGroup>

    /// Runs `body` on step `step` of `cell` alone, every panel and unit, with its scratch on the stack.
    @inline(__always)
    static func alone(_ cell: any UnitSplitCell, _ step: RecurrentStep, panelsPerBlock: Int, _ body: (UnitSplitStep) -> Void) {
        var shard = UnitSplitShard(cell: cell, step: step)
        var group = RowGroup(a: step.previousHidden, c: step.gates, rows: 0)
        withUnsafePointer(to: &shard) { shard in
            withUnsafeMutablePointer(to: &group) { group in
                body(UnitSplitStep(shards: UnsafeBufferPointer(start: shard, count: 1), panels: 0..<panelsPerBlock,
                                   units: 0..<step.hiddenSize, groups: group))
            }
        }
    }

    /// Z_t += a_{t−1}·Waᵀ in own columns of every block (nothing at t = 0, where a_{−1} = 0),
    /// then the update of own units, which reads no other column.
    func forward(weights: RecurrentWeights, clock: PhaseClock) {
        let first = shards[0].step
        if first.index > 0 {
            for (index, shard) in shards.enumerated() {
                groups[index] = RowGroup(a: shard.step.previousHidden, c: shard.step.gates, rows: shard.step.batch)
            }
            MatrixProduct.multiply(
                groups: UnsafeBufferPointer(start: groups, count: shards.count), aRowStride: first.hiddenSize,
                aColumnStride: 1, packed: weights.packedTransposedRecurrentWeights, rows: 0..<first.hiddenSize,
                blocks: 0..<(first.gateWidth / first.hiddenSize), panels: panels, cRowStride: first.gateWidth,
                accumulate: true)
        }
        clock.lap(\.recurrentForward)
        for shard in shards { shard.cell.activate(shard.step, units: units) }
        clock.lap(\.activations)
    }

    /// The gate gradients of own units in every block, from ∂L/∂a_t of own units.
    func differentiate() {
        for shard in shards { shard.cell.differentiate(shard.step, units: units) }
    }

    /// ∂L/∂a_{t−1} = dZ_t·Wa for own units (t > 0), once every column of dZ_t is known.
    func propagate(weights: RecurrentWeights) {
        let first = shards[0].step
        for (index, shard) in shards.enumerated() {
            groups[index] = RowGroup(a: shard.step.gateGradients, c: shard.step.hiddenGradient, rows: shard.step.batch)
        }
        MatrixProduct.multiply(
            groups: UnsafeBufferPointer(start: groups, count: shards.count), aRowStride: first.gateWidth,
            aColumnStride: 1, packed: weights.packedRecurrentWeights, rows: 0..<first.gateWidth, blocks: 0..<1,
            panels: panels, cRowStride: first.hiddenSize, accumulate: false)
    }
}

extension UnitSplitCell {
    public func forward(_ step: RecurrentStep, weights: RecurrentWeights, clock: PhaseClock) {
        UnitSplitStep.alone(self, step, panelsPerBlock: weights.packedTransposedRecurrentWeights.panelsPerBlock) {
            $0.forward(weights: weights, clock: clock)
        }
    }

    public func backward(_ step: RecurrentStep, weights: RecurrentWeights, clock: PhaseClock) {
        UnitSplitStep.alone(self, step, panelsPerBlock: weights.packedRecurrentWeights.panelsPerBlock) { split in
            split.differentiate()
            clock.lap(\.gateBackward)
            if step.index > 0 {
                split.propagate(weights: weights)
                clock.lap(\.recurrentBackward)
            }
        }
    }
}
