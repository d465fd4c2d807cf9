import Foundation

/// The declared type of a stage parameter; the manifest's values are checked against it
/// before anything runs.
public enum ParameterKind: Sendable, Hashable {
    case integer(ClosedRange<Int>? = nil)
    case number(ClosedRange<Double>? = nil)
    case string
    case boolean
    /// A file or folder, relative to the manifest's folder. Its *content* hash is part of
    /// the stage's fingerprint: replacing the data under the same name makes it stale.
    case path
}

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

/// What a stage declares about one parameter.
public struct ParameterSpec: Sendable, Hashable {
    public var name: String
    public var kind: ParameterKind
    /// `.none` declares an optional parameter.
    public var defaultValue: ParameterValue
    public var description: String

    public init(_ name: String, _ kind: ParameterKind, default defaultValue: ParameterValue, _ description: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.description = description
    }
}
