/// A parameter that does not belong to the model or has the wrong number of values.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case unknownParameter(String)
    case wrongValueCount(parameter: String, expected: Int, found: Int)

    public var description: String {
        switch self {
        case .unknownParameter(let name):
            return "'\(name)' is not a parameter of DigitClassification"
        case .wrongValueCount(let name, let expected, let found):
            return "parameter '\(name)' needs \(expected) values, got \(found)"
        }
    }
}
