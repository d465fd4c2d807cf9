import NeuralNetwork

/// Errors of the LSTM notebook's own making (the libraries report their own).
enum NotebookError: Error, CustomStringConvertible {
    case indexOutOfRange(parameter: String, value: Int, count: Int)
    case weightsDoNotFitMNIST(path: String, found: RecurrentConfiguration, expected: RecurrentConfiguration)

    var description: String {
        switch self {
        case let .indexOutOfRange(parameter, value, count):
            return "parameter '\(parameter)' is \(value), but the test set has only \(count) images (valid: 0...\(count - 1))"
        case let .weightsDoNotFitMNIST(path, found, expected) where found.cell != expected.cell:
            let word = found.cell.name.lowercased()
            return "the weights in \(path) are \(found.cell.name) weights, but build-model.cell is "
                + "\(expected.cell.name.lowercased()): add --set build-model.cell=\(word) (or cell: \(word) in the manifest)"
        case let .weightsDoNotFitMNIST(path, found, expected):
            return "the weights in \(path) take \(found.inputSize) inputs per step and score \(found.outputSize) classes, "
                + "but MNIST needs \(expected.inputSize) (one image row per step) and \(expected.outputSize) (the digits)"
        }
    }
}
