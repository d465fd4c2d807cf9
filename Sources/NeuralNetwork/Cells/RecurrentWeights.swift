/// The model's parameters in one flat buffer (layout: `ParameterLayout`), plus the copies
/// the passes read in another layout: Waᵀ and Wa stacked [G·H, H] in packed panels for the
/// recurrent products forward and backward, Wc [O, H], and b_x + b_a fused into one gate
/// bias. Call `refreshDerived()` after the parameters change (the trainer does it once per
/// step, its threads each rebuilding a part: at hidden 1024 the copies are 32 MB of writes).
public final class RecurrentWeights {
    public let configuration: RecurrentConfiguration
    public let layout: ParameterLayout
    /// The parameters, owned by this object.
    public let parameters: UnsafeMutableBufferPointer<Float>
    let classifierWeights: UnsafeMutablePointer<Float>
    public let fusedGateBias: UnsafeMutablePointer<Float>
    /// Waᵀ [H, G·H] and Wa stacked by block [G·H, H] (row `block·H + unit` is that gate's
    /// recurrent weight row) in 32-column panels, what the per-step recurrent products read:
    /// contiguous panels keep streaming fast once the matrices outgrow the caches. There is no
    /// plain copy of Wa stacked: nothing reads it, and at hidden 1024 rebuilding it after every
    /// step was 16 MB of writes.
    public let packedTransposedRecurrentWeights: PackedPanels
    public let packedRecurrentWeights: PackedPanels

    public init(configuration: RecurrentConfiguration) {
        self.configuration = configuration
        layout = ParameterLayout(configuration: configuration)
        parameters = .allocate(capacity: layout.parameterCount)
        parameters.initialize(repeating: 0)
        let width = configuration.gateWidth, hidden = configuration.hiddenSize
        func zeroed(_ count: Int) -> UnsafeMutablePointer<Float> {
            let pointer = UnsafeMutablePointer<Float>.allocate(capacity: count)
            pointer.initialize(repeating: 0, count: count)
            return pointer
        }
        classifierWeights = zeroed(configuration.outputSize * hidden)
        fusedGateBias = zeroed(width)
        packedTransposedRecurrentWeights = PackedPanels(
            depth: hidden, blockWidth: hidden, blockCount: configuration.cell.gates.count)
        packedRecurrentWeights = PackedPanels(depth: width, blockWidth: hidden, blockCount: 1)
    }

    deinit {
        parameters.deallocate()
        classifierWeights.deallocate()
        fusedGateBias.deallocate()
    }

    /// Waᵀ [H, G·H] in the flat buffer: the forward recurrent products read column blocks of it.
    public var transposedRecurrentWeights: UnsafePointer<Float> {
        UnsafePointer(parameters.baseAddress! + layout.recurrentWeightsOffset)
    }

    /// Wx stacked by block [G·H, I], built on demand: only the input gradient, which training
    /// never needs, reads it, so the trainer does not pay for it at every step.
    public func stackedInputWeights() -> [Float] {
        let width = configuration.gateWidth, input = configuration.inputSize
        let wxT = UnsafePointer(parameters.baseAddress! + layout.inputWeightsOffset)
        var stacked = [Float](repeating: 0, count: width * input)
        for feature in 0..<input {
            for gate in 0..<width {
                stacked[gate * input + feature] = wxT[feature * width + gate]
            }
        }
        return stacked
    }

    /// Rebuilds the derived copies from `parameters`.
    public func refreshDerived() {
        refreshDerived(part: 0, of: 1)
    }

    /// Rebuilds share `part` of `parts` of the derived copies; the parts touch disjoint
    /// memory, so threads can run them at once. Why: at hidden 1024 the copies are two
    /// 16 MB rewrites per optimiser step, which one thread alone spends nearly as long on as Adam.
    /// Every part reads only `parameters`, so no part waits for another.
    public func refreshDerived(part: Int, of parts: Int) {
        precondition(parts > 0 && (0..<parts).contains(part), "part \(part) of \(parts)")
        let width = configuration.gateWidth, hidden = configuration.hiddenSize
        let output = configuration.outputSize
        let flat = UnsafePointer(parameters.baseAddress!)
        let waT = flat + layout.recurrentWeightsOffset
        func share(of count: Int) -> Range<Int> { (part * count / parts)..<((part + 1) * count / parts) }
        packedTransposedRecurrentWeights.pack(
            from: waT, rowStride: width, panels: share(of: packedTransposedRecurrentWeights.panelsPerBlock))
        packedRecurrentWeights.pack(
            transposedFrom: waT, rowStride: width, panels: share(of: packedRecurrentWeights.panelsPerBlock))
        guard part == 0 else { return }
        let wcT = flat + layout.classifierWeightsOffset
        for unit in 0..<hidden {
            for label in 0..<output {
                classifierWeights[label * hidden + unit] = wcT[unit * output + label]
            }
        }
        for gate in 0..<width {
            fusedGateBias[gate] = flat[layout.inputBiasOffset + gate] + flat[layout.recurrentBiasOffset + gate]
        }
    }
}
