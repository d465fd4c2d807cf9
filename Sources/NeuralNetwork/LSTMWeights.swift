/// The model's parameters in one flat buffer (layout: `ParameterLayout`), plus the copies
/// the passes read in another layout: Wa stacked [4H, H] and Wc [O, H] for the backward
/// products, and b_x + b_a fused into one gate bias. Call `refreshDerived()` after the
/// parameters change (the trainer does it once per step; the copies are 1% of a step).
public final class LSTMWeights {
    public let configuration: LSTMConfiguration
    public let layout: ParameterLayout
    /// The parameters, owned by this object.
    public let parameters: UnsafeMutableBufferPointer<Float>
    let recurrentWeights: UnsafeMutablePointer<Float>
    let classifierWeights: UnsafeMutablePointer<Float>
    let fusedGateBias: UnsafeMutablePointer<Float>

    public init(configuration: LSTMConfiguration) {
        self.configuration = configuration
        layout = ParameterLayout(configuration: configuration)
        parameters = .allocate(capacity: layout.parameterCount)
        parameters.initialize(repeating: 0)
        let gateWidth = configuration.gateWidth, hidden = configuration.hiddenSize
        recurrentWeights = .allocate(capacity: gateWidth * hidden)
        recurrentWeights.initialize(repeating: 0, count: gateWidth * hidden)
        classifierWeights = .allocate(capacity: configuration.outputSize * hidden)
        classifierWeights.initialize(repeating: 0, count: configuration.outputSize * hidden)
        fusedGateBias = .allocate(capacity: gateWidth)
        fusedGateBias.initialize(repeating: 0, count: gateWidth)
    }

    deinit {
        parameters.deallocate()
        recurrentWeights.deallocate()
        classifierWeights.deallocate()
        fusedGateBias.deallocate()
    }

    /// Rebuilds the derived copies from `parameters`.
    public func refreshDerived() {
        let gateWidth = configuration.gateWidth, hidden = configuration.hiddenSize
        let output = configuration.outputSize
        let flat = UnsafePointer(parameters.baseAddress!)
        let waT = flat + layout.recurrentWeightsOffset
        for unit in 0..<hidden {
            for gate in 0..<gateWidth {
                recurrentWeights[gate * hidden + unit] = waT[unit * gateWidth + gate]
            }
        }
        let wcT = flat + layout.classifierWeightsOffset
        for unit in 0..<hidden {
            for label in 0..<output {
                classifierWeights[label * hidden + unit] = wcT[unit * output + label]
            }
        }
        for gate in 0..<gateWidth {
            fusedGateBias[gate] = flat[layout.inputBiasOffset + gate] + flat[layout.recurrentBiasOffset + gate]
        }
    }
}
