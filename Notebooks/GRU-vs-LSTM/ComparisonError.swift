/// Parameter values the comparison notebook cannot use, named with the parameter at fault.
enum ComparisonError: Error, CustomStringConvertible, Equatable {
    case noDelays(parameter: String)
    case repeatedDelay(parameter: String, delay: Int)

    var description: String {
        switch self {
        case let .noDelays(parameter):
            return "parameter '\(parameter)' is an empty list: give at least one delay, e.g. [0, 25, 50, 100]"
        case let .repeatedDelay(parameter, delay):
            return "parameter '\(parameter)' gives the delay \(delay) twice: each delay is one experiment"
        }
    }
}
