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
/// A conforming cell's `forward` must equal "Z_t += a_{t−1}·Waᵀ (all blocks, t > 0), then
/// `activate` over all units", its `backward` "`differentiate` over all units, then
/// ∂L/∂a_{t−1} = dZ_t·Wa (t > 0)", and its `recurrentWeightGradient` must be the default:
/// the split pass performs those products itself, column by column.
public protocol UnitSplitCell: RecurrentCell {
    /// The update of step t for hidden units `units` of every sequence, once their columns of
    /// `step.gates` hold the complete pre-activations; writes a_t[units].
    func activate(_ step: RecurrentStep, units: Range<Int>)

    /// The gate gradients of step t for units `units`, from ∂L/∂a_t[units]: fills those
    /// units' columns of `step.gateGradients` in every block.
    func differentiate(_ step: RecurrentStep, units: Range<Int>)
}
