/// Parameter values the comparison notebook cannot use, named with the parameter at fault.
enum ComparisonError: Error, CustomStringConvertible, Equatable {
    case badDelayList(parameter: String, text: String, reason: String)
    case unknownCell(parameter: String, name: String, known: [String])

    var description: String {
        switch self {
        case let .badDelayList(parameter, text, reason):
            return "parameter '\(parameter)' is '\(text)': \(reason) "
                + "(write blank-row counts separated by commas, e.g. \"0, 25, 50, 100\")"
        case let .unknownCell(parameter, name, known):
            return "parameter '\(parameter)' names the cell '\(name)', which nbrun does not have (known: \(known.joined(separator: ", ")))"
        }
    }
}
