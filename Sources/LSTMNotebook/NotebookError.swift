/// Errors of the LSTM notebook's own making (the libraries report their own).
enum NotebookError: Error, CustomStringConvertible {
    case indexOutOfRange(parameter: String, value: Int, count: Int)
    case checkpointMismatch(path: String, reason: String)

    var description: String {
        switch self {
        case let .indexOutOfRange(parameter, value, count):
            return "parameter '\(parameter)' is \(value), but the test set has only \(count) images (valid: 0...\(count - 1))"
        case let .checkpointMismatch(path, reason):
            return "the training checkpoint at \(path) does not belong to this run: \(reason)"
        }
    }
}
