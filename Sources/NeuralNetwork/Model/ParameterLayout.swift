/// Where each PyTorch-named tensor lives inside the model's single fused parameter buffer.
///
/// The gates of a cell are fused so one product computes them all: the input weights are
/// stored transposed as Wxᵀ [input, G·hidden] with one column block per gate (the block
/// order is the cell's choice, see `RecurrentGate`); likewise Waᵀ [hidden, G·hidden]; the
/// classifier as Wcᵀ [hidden, output]. Checkpoints, tests and users only ever see PyTorch's
/// tensors (Linear weight [out, in], row-major), in `state_dict` order; this type converts.
public struct ParameterLayout: Sendable, Hashable {
    public let configuration: RecurrentConfiguration
    /// The cell's gates in `state_dict` order.
    public let gates: [RecurrentGate]

    /// One named tensor of the PyTorch model; the gate is an index into `gates`.
    public enum Tensor: Sendable, Hashable {
        case inputWeight(Int), inputBias(Int), recurrentWeight(Int), recurrentBias(Int)
        case classifierWeight, classifierBias
    }

    public init(configuration: RecurrentConfiguration) {
        self.configuration = configuration
        gates = configuration.cell.gates
    }

    private var input: Int { configuration.inputSize }
    private var hidden: Int { configuration.hiddenSize }
    private var output: Int { configuration.outputSize }
    private var width: Int { configuration.gateWidth }

    // Offsets of the fused blocks in the flat buffer.
    public var inputWeightsOffset: Int { 0 }
    public var inputBiasOffset: Int { input * width }
    public var recurrentWeightsOffset: Int { inputBiasOffset + width }
    public var recurrentBiasOffset: Int { recurrentWeightsOffset + hidden * width }
    public var classifierWeightsOffset: Int { recurrentBiasOffset + width }
    public var classifierBiasOffset: Int { classifierWeightsOffset + hidden * output }
    public var parameterCount: Int { classifierBiasOffset + output }

    /// The tensors in PyTorch `state_dict` order: for each gate its x Linear then its a
    /// Linear (weight before bias), then the classifier.
    public var tensors: [Tensor] {
        var result: [Tensor] = []
        for gate in gates.indices {
            result += [.inputWeight(gate), .inputBias(gate), .recurrentWeight(gate), .recurrentBias(gate)]
        }
        return result + [.classifierWeight, .classifierBias]
    }

    public func name(of tensor: Tensor) -> String {
        let module = configuration.cell.name
        let cell = "\(module).\(module)Cell"
        return switch tensor {
        case .inputWeight(let gate): "\(cell).x_t\(gates[gate].suffix).weight"
        case .inputBias(let gate): "\(cell).x_t\(gates[gate].suffix).bias"
        case .recurrentWeight(let gate): "\(cell).a_t\(gates[gate].suffix).weight"
        case .recurrentBias(let gate): "\(cell).a_t\(gates[gate].suffix).bias"
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
    public func flatIndex(of tensor: Tensor, element index: Int) -> Int {
        switch tensor {
        case .inputWeight(let gate):
            // PyTorch W[row, column] (row = hidden unit, column = input feature) ↦ Wxᵀ[column, block·H + row]
            let (row, column) = index.quotientAndRemainder(dividingBy: input)
            return inputWeightsOffset + column * width + gates[gate].block * hidden + row
        case .inputBias(let gate):
            return inputBiasOffset + gates[gate].block * hidden + index
        case .recurrentWeight(let gate):
            let (row, column) = index.quotientAndRemainder(dividingBy: hidden)
            return recurrentWeightsOffset + column * width + gates[gate].block * hidden + row
        case .recurrentBias(let gate):
            return recurrentBiasOffset + gates[gate].block * hidden + index
        case .classifierWeight:
            let (row, column) = index.quotientAndRemainder(dividingBy: hidden)
            return classifierWeightsOffset + column * output + row
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
