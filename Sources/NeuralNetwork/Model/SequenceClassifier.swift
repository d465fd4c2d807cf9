import Foundation

/// The reference notebook's model, for any recurrent cell: the cell reads a sequence one
/// step at a time (for MNIST, one image row per step), and a Linear (`classifier`) on its
/// last hidden state gives one logit per class.
public final class SequenceClassifier {
    public let configuration: RecurrentConfiguration
    /// The parameters and their derived copies; shared with the trainer that updates them.
    public let weights: RecurrentWeights

    /// PyTorch-default initialisation: each tensor, in `state_dict` order and row-major
    /// within, is drawn uniform in ±1/√fan_in from `SeededGenerator(seed:)` (weights and
    /// biases alike, as `nn.Linear.reset_parameters` does).
    public convenience init(configuration: RecurrentConfiguration, seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        self.init(configuration: configuration, generator: &generator)
    }

    /// Initialises from a caller's generator (which advances), for runs that checkpoint it.
    public init(configuration: RecurrentConfiguration, generator: inout SeededGenerator) {
        precondition(configuration.inputSize > 0 && configuration.hiddenSize > 0 && configuration.outputSize > 0,
                     "\(configuration): sizes must be positive")
        self.configuration = configuration
        weights = RecurrentWeights(configuration: configuration)
        let layout = weights.layout
        for tensor in layout.tensors {
            let bound = 1 / Float(layout.fanIn(of: tensor)).squareRoot()
            let count = layout.shape(of: tensor).reduce(1, *)
            for element in 0..<count {
                weights.parameters[layout.flatIndex(of: tensor, element: element)] =
                    generator.nextFloat(symmetricBound: bound)
            }
        }
        weights.refreshDerived()
    }

    /// A model with all-zero parameters, to be filled by `setParameter` or a checkpoint.
    init(zeroedWith configuration: RecurrentConfiguration) {
        self.configuration = configuration
        weights = RecurrentWeights(configuration: configuration)
    }

    /// 82,186 for an LSTM of the reference sizes 28/128/10.
    public var parameterCount: Int { weights.layout.parameterCount }

    /// PyTorch names, shapes ([out, in] for weights) and row-major values, in `state_dict` order.
    public var namedParameters: [(name: String, shape: [Int], values: [Float])] {
        weights.layout.namedTensors(of: UnsafeBufferPointer(weights.parameters))
    }

    public func setParameter(named name: String, values: [Float]) throws(ModelError) {
        let layout = weights.layout
        guard let tensor = layout.tensor(named: name) else { throw .unknownParameter(name) }
        let expected = layout.shape(of: tensor).reduce(1, *)
        guard values.count == expected else {
            throw .wrongValueCount(parameter: name, expected: expected, found: values.count)
        }
        layout.store(values, as: tensor, in: weights.parameters)
        weights.refreshDerived()
    }

    /// Starts a gate at a chosen bias instead of PyTorch's random one: the gate's x Linear
    /// bias becomes `value` and its a Linear bias 0, so the gate opens at σ(value) before any
    /// input. The classic use is the LSTM's forget gate at 1 (Gers et al. 2000; Jozefowicz et
    /// al. 2015), which makes remembering the default from the first step of training.
    /// - Parameter suffix: the gate's attribute suffix, as in `x_t_f` → "_f".
    public func setGateBias(_ suffix: String, to value: Float) throws(ModelError) {
        let layout = weights.layout
        guard let gate = layout.gates.firstIndex(where: { $0.suffix == suffix }) else {
            throw .unknownGate(cell: configuration.cell.name, suffix: suffix)
        }
        let hidden = configuration.hiddenSize
        layout.store(Array(repeating: value, count: hidden), as: .inputBias(gate), in: weights.parameters)
        layout.store(Array(repeating: 0, count: hidden), as: .recurrentBias(gate), in: weights.parameters)
        weights.refreshDerived()
    }

    /// The module tree as PyTorch's `print(model)` shows it for the reference classes.
    public func moduleDescription(className: String = "DigitClassification") -> String {
        let input = configuration.inputSize, hidden = configuration.hiddenSize
        let module = configuration.cell.name
        func linear(_ name: String, _ inFeatures: Int, _ outFeatures: Int, indent: String) -> String {
            "\(indent)(\(name)): Linear(in_features=\(inFeatures), out_features=\(outFeatures), bias=True)"
        }
        var lines = ["\(className)(", "  (\(module)): \(module)(", "    (\(module)Cell): \(module)Cell("]
        for gate in configuration.cell.gates {
            lines.append(linear("x_t\(gate.suffix)", input, hidden, indent: "      "))
            lines.append(linear("a_t\(gate.suffix)", hidden, hidden, indent: "      "))
        }
        lines += ["    )", "  )", linear("classifier", hidden, configuration.outputSize, indent: "  "), ")"]
        return lines.joined(separator: "\n")
    }
}
