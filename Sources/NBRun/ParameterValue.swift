import Foundation

/// A parameter value as written in the manifest or given by `--set`, once checked against
/// its declared kind. Every parameter type, built in or not, is carried as one of these.
public enum ParameterValue: Sendable, Hashable, CustomStringConvertible {
    case integer(Int)
    case number(Double)
    /// A string, or the word chosen for a `.choice` parameter.
    case string(String)
    case boolean(Bool)
    case path(String)
    case list([ParameterValue])
    /// An optional parameter left unset (e.g. no weights file to load).
    case none

    public var description: String {
        switch self {
        case .integer(let value): return String(value)
        case .number(let value): return String(value)
        case .string(let value): return value
        case .boolean(let value): return String(value)
        case .path(let value): return value
        case .list(let values): return "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .none: return "none"
        }
    }
}
