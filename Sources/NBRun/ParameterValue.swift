import Foundation

/// A parameter value as written in the manifest or given by `--set`.
public enum ParameterValue: Sendable, Hashable, CustomStringConvertible {
    case integer(Int)
    case number(Double)
    case string(String)
    case boolean(Bool)
    case path(String)
    /// An optional parameter left unset (e.g. no weights file to load).
    case none

    public var description: String {
        switch self {
        case .integer(let value): return String(value)
        case .number(let value): return String(value)
        case .string(let value): return value
        case .boolean(let value): return String(value)
        case .path(let value): return value
        case .none: return "none"
        }
    }
}
