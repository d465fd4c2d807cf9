import Foundation

/// The reference notebook's model: an LSTM reads an image one row per time step, and a
/// Linear on its last hidden state gives one logit per digit.
public final class DigitClassification {
    public let configuration: LSTMConfiguration
    /// The parameters and their derived copies; shared with the trainer that updates them.
    public let weights: LSTMWeights

    /// PyTorch-default initialisation: each tensor, in `state_dict` order and row-major
    /// within, is drawn uniform in ±1/√fan_in from `SeededGenerator(seed:)` (weights and
    /// biases alike, as `nn.Linear.reset_parameters` does).
    public convenience init(configuration: LSTMConfiguration = LSTMConfiguration(), seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        self.init(configuration: configuration, generator: &generator)
    }

    /// Initialises from a caller's generator (which advances), for runs that checkpoint it.
    public init(configuration: LSTMConfiguration, generator: inout SeededGenerator) {
        precondition(configuration.inputSize > 0 && configuration.hiddenSize > 0 && configuration.outputSize > 0,
                     "\(configuration): sizes must be positive")
        self.configuration = configuration
        weights = LSTMWeights(configuration: configuration)
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
    init(zeroedWith configuration: LSTMConfiguration) {
        self.configuration = configuration
        weights = LSTMWeights(configuration: configuration)
    }

    /// 82,186 for the reference sizes 28/128/10.
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

    /// The module tree as PyTorch's `print(model)` shows it for the reference classes.
    public func moduleDescription() -> String {
        let input = configuration.inputSize, hidden = configuration.hiddenSize
        func linear(_ name: String, _ inFeatures: Int, _ outFeatures: Int, indent: String) -> String {
            "\(indent)(\(name)): Linear(in_features=\(inFeatures), out_features=\(outFeatures), bias=True)"
        }
        var lines = ["DigitClassification(", "  (LSTM): LSTM(", "    (LSTMCell): LSTMCell("]
        for suffix in ["", "_u", "_f", "_o"] {
            lines.append(linear("x_t\(suffix)", input, hidden, indent: "      "))
            lines.append(linear("a_t\(suffix)", hidden, hidden, indent: "      "))
        }
        lines += ["    )", "  )", linear("classifier", hidden, configuration.outputSize, indent: "  "), ")"]
        return lines.joined(separator: "\n")
    }

    // MARK: Checkpoints

    /// Writes the parameters as F32 safetensors under PyTorch's names, atomically.
    public func saveSafetensors(to url: URL) throws(SafetensorsError) {
        let tensors = namedParameters.map { SafetensorsFile.Tensor(name: $0.name, shape: $0.shape, values: $0.values) }
        try SafetensorsFile(tensors: tensors, metadata: ["format": "pt"]).write(to: url)
    }

    /// Loads a checkpoint written by us or by PyTorch (`safetensors.torch.save_file` of the
    /// reference's `state_dict`). Sizes are inferred from `LSTM.LSTMCell.x_t.weight` [H, I]
    /// and `classifier.weight` [O, H], each at most `LSTMConfiguration.maximumSize`; then
    /// every tensor must be present with its exact shape, nothing else may be in the file,
    /// and every value must be finite.
    ///
    /// All names and shapes are checked on the header before the model is allocated, and
    /// tensors are read one at a time from the file: a small file cannot make us reserve
    /// memory for tensors it does not hold.
    public static func loadSafetensors(from url: URL) throws(SafetensorsError) -> DigitClassification {
        let reader = try SafetensorsReader(url: url)
        let configuration = try inferredConfiguration(of: reader.header, path: reader.path)
        let layout = ParameterLayout(configuration: configuration)
        let plan = try strictEntries(of: reader.header, path: reader.path, prefix: "", layout: layout)
        let model = DigitClassification(zeroedWith: configuration)
        for (tensor, entry) in plan {
            layout.store(try reader.finiteValues(of: entry), as: tensor, in: model.weights.parameters)
        }
        model.weights.refreshDerived()
        return model
    }

    /// The sizes the two tensors that carry them declare, refused above the common limit.
    static func inferredConfiguration(of header: SafetensorsHeader, path: String) throws(SafetensorsError) -> LSTMConfiguration {
        let probe = ParameterLayout(configuration: LSTMConfiguration(inputSize: 1, hiddenSize: 1, outputSize: 1))
        let inputName = probe.name(of: .inputWeight(.candidate))
        let classifierName = probe.name(of: .classifierWeight)
        guard let inputWeight = header.entry(named: inputName) else { throw .missingTensor(path: path, tensor: inputName) }
        guard let classifierWeight = header.entry(named: classifierName) else {
            throw .missingTensor(path: path, tensor: classifierName)
        }
        guard inputWeight.shape.count == 2, inputWeight.shape.allSatisfy({ $0 > 0 }) else {
            throw .shapeMismatch(path: path, tensor: inputName, expected: [-1, -1], found: inputWeight.shape)
        }
        guard classifierWeight.shape.count == 2, classifierWeight.shape.allSatisfy({ $0 > 0 }) else {
            throw .shapeMismatch(path: path, tensor: classifierName, expected: [-1, inputWeight.shape[0]],
                                 found: classifierWeight.shape)
        }
        let limit = LSTMConfiguration.maximumSize
        for entry in [inputWeight, classifierWeight] where entry.shape.contains(where: { $0 > limit }) {
            throw .dimensionTooLarge(path: path, tensor: entry.name, shape: entry.shape, limit: limit)
        }
        return LSTMConfiguration(
            inputSize: inputWeight.shape[1], hiddenSize: inputWeight.shape[0], outputSize: classifierWeight.shape[0])
    }

    /// The header's tensors whose name starts with `prefix`, matched to the layout: all
    /// present, right shapes, no unknown names under that prefix. Reads no tensor data.
    static func strictEntries(
        of header: SafetensorsHeader, path: String, prefix: String, layout: ParameterLayout
    ) throws(SafetensorsError) -> [(ParameterLayout.Tensor, SafetensorsHeader.Entry)] {
        for entry in header.entries where entry.name.hasPrefix(prefix) {
            if layout.tensor(named: String(entry.name.dropFirst(prefix.count))) == nil {
                throw .unexpectedTensor(path: path, tensor: entry.name)
            }
        }
        var result: [(ParameterLayout.Tensor, SafetensorsHeader.Entry)] = []
        for tensor in layout.tensors {
            let name = prefix + layout.name(of: tensor)
            guard let entry = header.entry(named: name) else { throw .missingTensor(path: path, tensor: name) }
            guard entry.shape == layout.shape(of: tensor) else {
                throw .shapeMismatch(path: path, tensor: name, expected: layout.shape(of: tensor), found: entry.shape)
            }
            result.append((tensor, entry))
        }
        return result
    }

    // MARK: Inference

    /// Sequences per inference shard: with 16, all 28 steps of gate pre-activations (0.9 MB)
    /// stay in the L2 cache between the input projection and the step loop; 64 spills them
    /// to L3 and was measured 25% slower.
    static let inferenceShardSize = 16

    /// Logits [count, O] and the arg-max class of each image.
    /// - Parameter images: count × steps × inputSize floats (for MNIST, 28 rows of 28 pixels in [0, 1]).
    public func predict(
        images: UnsafeBufferPointer<Float>, count: Int, threads: Int, steps: Int = 28
    ) -> (logits: [Float], predictions: [Int]) {
        let input = configuration.inputSize, output = configuration.outputSize
        precondition(count >= 0 && images.count >= count * steps * input,
                     "predict: \(images.count) floats for \(count) images of \(steps)×\(input)")
        guard count > 0 else { return ([], []) }
        let shardSize = Self.inferenceShardSize
        let shardCount = (count + shardSize - 1) / shardSize
        let workerCount = max(1, min(ParallelShards.clampedThreads(threads), shardCount))
        let workspaces = (0..<workerCount).map { _ in
            LSTMWorkspace(configuration: configuration, maxBatch: min(shardSize, count), maxSteps: steps, supportsBackward: false)
        }
        var logits = [Float](repeating: 0, count: count * output)
        let weights = weights
        let base = images.baseAddress!
        logits.withUnsafeMutableBufferPointer { logitBuffer in
            let destination = logitBuffer.baseAddress!
            ParallelShards.runDynamically(count: shardCount, threads: workerCount) { worker, shard in
                let first = shard * shardSize
                let batch = min(shardSize, count - first)
                let workspace = workspaces[worker]
                workspace.forward(sequences: base + first * steps * input, batch: batch, steps: steps, weights: weights)
                (destination + first * output).update(from: workspace.logits, count: batch * output)
            }
        }
        let predictions = (0..<count).map { row in
            var best = 0
            for label in 1..<max(output, 1) where logits[row * output + label] > logits[row * output + best] {
                best = label
            }
            return best
        }
        return (logits, predictions)
    }
}
