/// One kind of recurrent cell (LSTM, GRU, plain RNN, …) as the shared sequence classifier
/// drives it.
///
/// The classifier owns everything the cells have in common, so each cell writes only what
/// makes it different: every cell is a set of *gates*, each the sum of one Linear on x_t and
/// one Linear on the previous state (each with a bias, in the reference's from-scratch
/// style), followed by the cell's own nonlinear update. That shared shape is what lets one
/// batched input projection, one fused bias, one trainer, one checkpoint format and one set
/// of weight-gradient products serve every cell. A cell supplies:
/// - its PyTorch names (`moduleName`, and per gate the attribute suffix) and where each
///   gate sits in the fused column layout (`gates`),
/// - per-shard state for what its update keeps besides a_t (the LSTM's c_t, the GRU's Γr ⊙ a),
/// - one step forward (recurrent product(s) and update) and one step of backpropagation.
///
/// An instance is the cell's working memory for one shard on one thread; it is created by
/// the workspace with the largest batch and sequence it will see. Adding a cell means one
/// new conforming class and one line in `RecurrentCellKind.all`; no other cell changes.
public protocol RecurrentCell: AnyObject {
    /// The reference's module name: parameters are called `<name>.<name>Cell.<attribute>`.
    static var moduleName: String { get }
    /// The cell's Linear pairs in PyTorch `state_dict` order, with their fused column blocks.
    static var gates: [RecurrentGate] { get }

    init(hiddenSize: Int, maxBatch: Int, maxSteps: Int, supportsBackward: Bool)

    /// Completes step t. On entry `step.gates` holds x_t·Wxᵀ + b_x + b_a for every gate; the
    /// cell adds its recurrent term(s), applies its update, writes a_t to `step.hidden`, and
    /// leaves in `step.gates` whatever its `backward` needs (typically the activated gates).
    /// At t = 0 the previous state is zero.
    func forward(_ step: RecurrentStep, weights: RecurrentWeights, clock: PhaseClock)

    /// Step t of backpropagation through time, called for t = T−1 down to 0 after `forward`
    /// of all steps. On entry `step.hiddenGradient` is ∂L/∂a_t; the cell writes ∂L/∂z_t (the
    /// gradient of every gate pre-activation) to `step.gateGradients` and, for t > 0,
    /// replaces `step.hiddenGradient` by ∂L/∂a_{t−1}.
    func backward(_ step: RecurrentStep, weights: RecurrentWeights, clock: PhaseClock)

    /// ∂L/∂Waᵀ summed over all steps, written (not accumulated) in the fused layout
    /// [H, G·H]. The default suits cells whose every recurrent Linear reads a_{t−1}.
    func recurrentWeightGradient(_ pass: RecurrentPass, into gradient: UnsafeMutablePointer<Float>)
}

/// One gate of a cell: the suffix of its Linear pair's names (`x_t_u`, `a_t_u` → "_u") and
/// its column block in the fused layout. Blocks let a cell order its gates for its products
/// (the GRU puts Γr and Γu first so one product computes both) while names stay PyTorch's.
public struct RecurrentGate: Sendable, Hashable {
    public let suffix: String
    public let block: Int

    public init(suffix: String, block: Int) {
        self.suffix = suffix
        self.block = block
    }
}

/// The buffers of one time step, as views into the workspace (time-major, batch `n`).
public struct RecurrentStep {
    /// t, counted from 0, and the sequence length T.
    public let index: Int
    public let count: Int
    public let batch: Int
    public let hiddenSize: Int
    /// G·H: the row length of `gates` and `gateGradients`.
    public let gateWidth: Int
    /// z_t [n, G·H]: pre-activations on entry to `forward`, then what the cell keeps.
    public let gates: UnsafeMutablePointer<Float>
    /// a_{t−1} [n, H] (zero at t = 0) and a_t [n, H].
    public let previousHidden: UnsafeMutablePointer<Float>
    public let hidden: UnsafeMutablePointer<Float>
    /// ∂L/∂z_t [n, G·H] and ∂L/∂a [n, H] (backward only).
    public let gateGradients: UnsafeMutablePointer<Float>
    public let hiddenGradient: UnsafeMutablePointer<Float>
}

/// A whole forward pass's buffers, for the products over all steps at once.
public struct RecurrentPass {
    public let steps: Int
    public let batch: Int
    public let hiddenSize: Int
    public let gateWidth: Int
    /// a_{−1} … a_{T−1}: [T+1, n, H] with slot 0 the zero initial state.
    public let hidden: UnsafePointer<Float>
    /// ∂L/∂z for all steps [T, n, G·H].
    public let gateGradients: UnsafePointer<Float>
    /// The same gradients in 32-column panels (rows (t, b), blocks the gates), which the
    /// weight-gradient products read: in place, each k step of a tile is a new page once
    /// G·H floats pass 1024.
    public let packedGateGradients: PackedPanels
    /// Scratch for a state matrix transposed into 8-row tiles (H rows, up to T·n columns),
    /// the left operand of the weight-gradient products (see `weightGradient(states:…)`).
    public let packedStates: PackedRowTiles

    /// dWᵀ = Σ_t s_tᵀ·dZ_t over the steps t = 1 … T−1 for the gate blocks `blocks`, into
    /// `gradient` (row stride G·H), where s_t is the state step t's recurrent Linear read
    /// (a_{t−1}, or the GRU's Γr ⊙ a_{t−1}) and `states` holds s_1 … s_{T−1} [T−1, n, H]: one
    /// product with rows (t, b), through `packedStates`. Step 0 is left out: every cell's
    /// recurrent input there is zero.
    public func weightGradient(
        states: UnsafePointer<Float>, blocks: Range<Int>, into gradient: UnsafeMutablePointer<Float>
    ) {
        packStates(states)
        weightGradientFromPackedStates(blocks: blocks, into: gradient)
    }

    /// a_0 … a_{T−2}: the recurrent inputs of steps 1 … T−1, which every Linear on a_{t−1} reads.
    public var recurrentInputs: UnsafePointer<Float> { hidden + batch * hiddenSize }

    /// Packs the states s_1 … s_{T−1} that `weightGradientFromPackedStates` reads, or only the
    /// 8-row tiles `tiles` of them (threads pack disjoint shares).
    public func packStates(_ states: UnsafePointer<Float>, tiles: Range<Int>? = nil) {
        packedStates.pack(transposedFrom: states, rowStride: hiddenSize, rows: hiddenSize,
                          depth: (steps - 1) * batch, tiles: tiles)
    }

    /// The product of `weightGradient` once `packStates` has run, for the columns of `panels`
    /// in every block of `blocks` (all by default: a split pass computes its own).
    public func weightGradientFromPackedStates(
        blocks: Range<Int>, panels: Range<Int>? = nil, into gradient: UnsafeMutablePointer<Float>
    ) {
        let a = packedStates.operand(depth: (steps - 1) * batch)
        MatrixProduct.multiply(
            m: hiddenSize, a: a.a, aRowStride: a.rowStride, aColumnStride: a.columnStride, aTileStride: a.tileStride,
            packed: packedGateGradients, rows: batch..<(steps * batch), blocks: blocks, panels: panels,
            c: gradient, cRowStride: gateWidth, accumulate: false)
    }
}

extension RecurrentCell {
    /// dWaᵀ = Σ_t a_{t−1}ᵀ·dZ_t over all steps in one product (rows are (t, b) pairs). Step 0
    /// contributes nothing (a_{−1} = 0), so its rows are skipped.
    public func recurrentWeightGradient(_ pass: RecurrentPass, into gradient: UnsafeMutablePointer<Float>) {
        pass.weightGradient(states: pass.recurrentInputs, blocks: 0..<pass.packedGateGradients.blockCount,
                            into: gradient)
    }
}
