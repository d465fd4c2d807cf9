/// A parameter or gate that does not belong to the model, or a parameter with the wrong number of values.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case unknownParameter(String)
    case wrongValueCount(parameter: String, expected: Int, found: Int)
    case unknownGate(cell: String, suffix: String)

    public var description: String {
        switch self {
        case .unknownParameter(let name):
            return "'\(name)' is not a parameter of the model"
        case .wrongValueCount(let name, let expected, let found):
            return "parameter '\(name)' needs \(expected) values, got \(found)"
        case .unknownGate(let cell, let suffix):
            return "the \(cell) cell has no gate 'x_t\(suffix)'"
        }
    }
}
