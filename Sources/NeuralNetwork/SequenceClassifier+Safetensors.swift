import Foundation

extension SequenceClassifier {
    /// Writes the parameters as F32 safetensors under PyTorch's names, atomically.
    public func saveSafetensors(to url: URL) throws(SafetensorsError) {
        let tensors = namedParameters.map { SafetensorsFile.Tensor(name: $0.name, shape: $0.shape, values: $0.values) }
        try SafetensorsFile(tensors: tensors, metadata: ["format": "pt"]).write(to: url)
    }

    /// Loads a checkpoint written by us or by PyTorch (`safetensors.torch.save_file` of the
    /// reference's `state_dict`), for any cell in `RecurrentCellKind.all`. The cell is the
    /// one whose `<M>.<M>Cell.x_t.weight` [H, I] is in the file; with `classifier.weight`
    /// [O, H] it gives the sizes. Then every tensor must be present with its exact shape
    /// and nothing else may be in the file.
    public static func loadSafetensors(from url: URL) throws(SafetensorsError) -> SequenceClassifier {
        let file = try SafetensorsFile(contentsOf: url)
        let path = url.path
        let probes = RecurrentCellKind.all.map { kind in
            (kind, ParameterLayout(configuration: RecurrentConfiguration(cell: kind, inputSize: 1, hiddenSize: 1, outputSize: 1)))
        }
        let candidates = probes.compactMap { kind, layout -> (RecurrentCellKind, String, SafetensorsFile.Tensor)? in
            let name = layout.name(of: .inputWeight(0))
            return file.tensor(named: name).map { (kind, name, $0) }
        }
        guard let (cell, inputName, inputWeight) = candidates.first else {
            let names = probes.map { $0.1.name(of: .inputWeight(0)) }
            throw .missingTensor(path: path, tensor: names.joined(separator: " or "))
        }
        let classifierName = probes[0].1.name(of: .classifierWeight)
        guard let classifierWeight = file.tensor(named: classifierName) else {
            throw .missingTensor(path: path, tensor: classifierName)
        }
        guard inputWeight.shape.count == 2, inputWeight.shape.allSatisfy({ $0 > 0 }) else {
            throw .shapeMismatch(path: path, tensor: inputName, expected: [-1, -1], found: inputWeight.shape)
        }
        guard classifierWeight.shape.count == 2, classifierWeight.shape.allSatisfy({ $0 > 0 }) else {
            throw .shapeMismatch(path: path, tensor: classifierName, expected: [-1, inputWeight.shape[0]],
                                 found: classifierWeight.shape)
        }
        let configuration = RecurrentConfiguration(
            cell: cell, inputSize: inputWeight.shape[1], hiddenSize: inputWeight.shape[0],
            outputSize: classifierWeight.shape[0])
        let model = SequenceClassifier(zeroedWith: configuration)
        try model.load(file, path: path, prefix: "")
        return model
    }

    /// Copies every parameter from `file` (names prefixed by `prefix`) into this model, strictly.
    func load(_ file: SafetensorsFile, path: String, prefix: String) throws(SafetensorsError) {
        let values = try Self.strictTensors(from: file, path: path, prefix: prefix, layout: weights.layout)
        for (tensor, tensorValues) in values {
            weights.layout.store(tensorValues, as: tensor, in: weights.parameters)
        }
        weights.refreshDerived()
    }

    /// The file's tensors whose name starts with `prefix`, matched to the layout: all present,
    /// right shapes, no unknown names under that prefix. Nothing is written until all pass.
    static func strictTensors(
        from file: SafetensorsFile, path: String, prefix: String, layout: ParameterLayout
    ) throws(SafetensorsError) -> [(ParameterLayout.Tensor, [Float])] {
        for tensor in file.tensors where tensor.name.hasPrefix(prefix) {
            if layout.tensor(named: String(tensor.name.dropFirst(prefix.count))) == nil {
                throw .unexpectedTensor(path: path, tensor: tensor.name)
            }
        }
        var result: [(ParameterLayout.Tensor, [Float])] = []
        for tensor in layout.tensors {
            let name = prefix + layout.name(of: tensor)
            guard let stored = file.tensor(named: name) else { throw .missingTensor(path: path, tensor: name) }
            guard stored.shape == layout.shape(of: tensor) else {
                throw .shapeMismatch(path: path, tensor: name, expected: layout.shape(of: tensor), found: stored.shape)
            }
            result.append((tensor, stored.values))
        }
        return result
    }
}
