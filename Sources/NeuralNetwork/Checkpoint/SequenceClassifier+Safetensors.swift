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
    /// [O, H] it gives the sizes, each at most `RecurrentConfiguration.maximumSize`. Then
    /// every tensor must be present with its exact shape, nothing else may be in the file,
    /// and every value must be finite.
    ///
    /// All names and shapes are checked on the header before the model is allocated, and
    /// tensors are read one at a time from the file: a small file cannot make us reserve
    /// memory for tensors it does not hold.
    public static func loadSafetensors(from url: URL) throws(SafetensorsError) -> SequenceClassifier {
        let reader = try SafetensorsReader(url: url)
        let configuration = try inferredConfiguration(of: reader.header, path: reader.path)
        let layout = ParameterLayout(configuration: configuration)
        let plan = try strictEntries(of: reader.header, path: reader.path, prefix: "", layout: layout)
        let model = SequenceClassifier(zeroedWith: configuration)
        for (tensor, entry) in plan {
            layout.store(try reader.finiteValues(of: entry), as: tensor, in: model.weights.parameters)
        }
        model.weights.refreshDerived()
        return model
    }

    /// The cell whose input weight the header holds and the sizes the two tensors that carry
    /// them declare, refused above the common limit.
    static func inferredConfiguration(
        of header: SafetensorsHeader, path: String
    ) throws(SafetensorsError) -> RecurrentConfiguration {
        let probes = RecurrentCellKind.all.map { kind in
            (kind, ParameterLayout(configuration: RecurrentConfiguration(cell: kind, inputSize: 1, hiddenSize: 1, outputSize: 1)))
        }
        let candidates = probes.compactMap { kind, layout -> (RecurrentCellKind, String, SafetensorsHeader.Entry)? in
            let name = layout.name(of: .inputWeight(0))
            return header.entry(named: name).map { (kind, name, $0) }
        }
        guard let (cell, inputName, inputWeight) = candidates.first else {
            let names = probes.map { $0.1.name(of: .inputWeight(0)) }
            throw .missingTensor(path: path, tensor: names.joined(separator: " or "))
        }
        let classifierName = probes[0].1.name(of: .classifierWeight)
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
        let limit = RecurrentConfiguration.maximumSize
        for entry in [inputWeight, classifierWeight] where entry.shape.contains(where: { $0 > limit }) {
            throw .dimensionTooLarge(path: path, tensor: entry.name, shape: entry.shape, limit: limit)
        }
        return RecurrentConfiguration(
            cell: cell, inputSize: inputWeight.shape[1], hiddenSize: inputWeight.shape[0],
            outputSize: classifierWeight.shape[0])
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
}
