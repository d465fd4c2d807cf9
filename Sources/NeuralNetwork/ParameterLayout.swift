/// Where each PyTorch-named tensor lives inside the model's single fused parameter buffer.
///
/// Internally the four gates are fused so one product computes them all: the input weights
/// are stored transposed as Wxᵀ [input, 4·hidden] with gate column blocks in the order
/// candidate, update, forget, output; likewise Waᵀ [hidden, 4·hidden]; the classifier as
/// Wcᵀ [hidden, output]. Checkpoints, tests and users only ever see PyTorch's tensors
/// (Linear weight [out, in], row-major), in `state_dict` order; this type converts.
public struct ParameterLayout: Sendable, Hashable {
    public let configuration: LSTMConfiguration

    /// Which reference gate a Linear belongs to; the raw value is its column block.
    public enum Gate: Int, Sendable, CaseIterable {
        case candidate = 0, update, forget, output

        /// Suffix of the reference's attribute names (`x_t`, `x_t_u`, `x_t_f`, `x_t_o`).
        var nameSuffix: String {
            switch self {
            case .candidate: ""
            case .update: "_u"
            case .forget: "_f"
            case .output: "_o"
            }
        }
    }

    /// One named tensor of the PyTorch model.
    public enum Tensor: Sendable, Hashable {
        case inputWeight(Gate), inputBias(Gate), recurrentWeight(Gate), recurrentBias(Gate)
        case classifierWeight, classifierBias
    }

    public init(configuration: LSTMConfiguration) {
        self.configuration = configuration
    }

    private var input: Int { configuration.inputSize }
    private var hidden: Int { configuration.hiddenSize }
    private var output: Int { configuration.outputSize }
    private var gates: Int { configuration.gateWidth }

    // Offsets of the fused blocks in the flat buffer.
    public var inputWeightsOffset: Int { 0 }
    public var inputBiasOffset: Int { input * gates }
    public var recurrentWeightsOffset: Int { inputBiasOffset + gates }
    public var recurrentBiasOffset: Int { recurrentWeightsOffset + hidden * gates }
    public var classifierWeightsOffset: Int { recurrentBiasOffset + gates }
    public var classifierBiasOffset: Int { classifierWeightsOffset + hidden * output }
    public var parameterCount: Int { classifierBiasOffset + output }

    /// The tensors in PyTorch `state_dict` order: for each gate its x Linear then its a
    /// Linear (weight before bias), then the classifier.
    public var tensors: [Tensor] {
        var result: [Tensor] = []
        for gate in Gate.allCases {
            result += [.inputWeight(gate), .inputBias(gate), .recurrentWeight(gate), .recurrentBias(gate)]
        }
        return result + [.classifierWeight, .classifierBias]
    }

    public func name(of tensor: Tensor) -> String {
        switch tensor {
        case .inputWeight(let gate): "LSTM.LSTMCell.x_t\(gate.nameSuffix).weight"
        case .inputBias(let gate): "LSTM.LSTMCell.x_t\(gate.nameSuffix).bias"
        case .recurrentWeight(let gate): "LSTM.LSTMCell.a_t\(gate.nameSuffix).weight"
        case .recurrentBias(let gate): "LSTM.LSTMCell.a_t\(gate.nameSuffix).bias"
        case .classifierWeight: "classifier.weight"
        case .classifierBias: "classifier.bias"
        }
    }

    public func tensor(named name: String) -> Tensor? {
        tensors.first { self.name(of: $0) == name }
    }

    /// PyTorch shape: [out, in] for weights, [out] for biases.
    public func shape(of tensor: Tensor) -> [Int] {
        switch tensor {
        case .inputWeight: [hidden, input]
        case .recurrentWeight: [hidden, hidden]
        case .inputBias, .recurrentBias: [hidden]
        case .classifierWeight: [output, hidden]
        case .classifierBias: [output]
        }
    }

    /// Fan-in of the Linear the tensor belongs to (PyTorch's init bound is 1/√fan_in).
    public func fanIn(of tensor: Tensor) -> Int {
        switch tensor {
        case .inputWeight, .inputBias: input
        case .recurrentWeight, .recurrentBias, .classifierWeight, .classifierBias: hidden
        }
    }

    /// Flat-buffer index of element `index` (row-major in PyTorch's shape) of `tensor`.
    @inlinable
    public func flatIndex(of tensor: Tensor, element index: Int) -> Int {
        let hidden = configuration.hiddenSize
        let gates = configuration.gateWidth
        switch tensor {
        case .inputWeight(let gate):
            // PyTorch W[row, column] (row = hidden unit, column = input feature) ↦ Wxᵀ[column, gate·H + row]
            let (row, column) = index.quotientAndRemainder(dividingBy: configuration.inputSize)
            return inputWeightsOffset + column * gates + gate.rawValue * hidden + row
        case .inputBias(let gate):
            return inputBiasOffset + gate.rawValue * hidden + index
        case .recurrentWeight(let gate):
            let (row, column) = index.quotientAndRemainder(dividingBy: hidden)
            return recurrentWeightsOffset + column * gates + gate.rawValue * hidden + row
        case .recurrentBias(let gate):
            return recurrentBiasOffset + gate.rawValue * hidden + index
        case .classifierWeight:
            let (row, column) = index.quotientAndRemainder(dividingBy: hidden)
            return classifierWeightsOffset + column * configuration.outputSize + row
        case .classifierBias:
            return classifierBiasOffset + index
        }
    }

    /// Copies one tensor out of a flat buffer, in PyTorch layout.
    public func values(of tensor: Tensor, in flat: UnsafeBufferPointer<Float>) -> [Float] {
        let count = shape(of: tensor).reduce(1, *)
        return (0..<count).map { flat[flatIndex(of: tensor, element: $0)] }
    }

    /// Copies one tensor in PyTorch layout into a flat buffer.
    public func store(_ values: [Float], as tensor: Tensor, in flat: UnsafeMutableBufferPointer<Float>) {
        for (index, value) in values.enumerated() {
            flat[flatIndex(of: tensor, element: index)] = value
        }
    }

    /// Every tensor of a flat buffer with its PyTorch name and shape, in `state_dict` order.
    public func namedTensors(of flat: UnsafeBufferPointer<Float>) -> [(name: String, shape: [Int], values: [Float])] {
        tensors.map { (name(of: $0), shape(of: $0), values(of: $0, in: flat)) }
    }
}
