import Foundation

/// A Swift type a stage parameter can have: how it is declared to the manifest loader and
/// how the checked manifest value becomes it.
public protocol ParameterValueType: Sendable {
    /// The declared kind, before any range.
    static var parameterKind: ParameterKind { get }
    /// The value as a manifest would write it (the default shown by `nbrun stages`).
    var parameterValue: ParameterValue { get }
    /// The checked manifest value; nil if it is not of this type (a programming error, since
    /// the manifest was validated against the declared kind).
    init?(parameterValue: ParameterValue, baseDirectory: URL)
}

extension Int: ParameterValueType {
    public static var parameterKind: ParameterKind { .integer() }
    public var parameterValue: ParameterValue { .integer(self) }
    public init?(parameterValue: ParameterValue, baseDirectory: URL) {
        guard case .integer(let value) = parameterValue else { return nil }
        self = value
    }
}

extension Double: ParameterValueType {
    public static var parameterKind: ParameterKind { .number() }
    public var parameterValue: ParameterValue { .number(self) }
    public init?(parameterValue: ParameterValue, baseDirectory: URL) {
        switch parameterValue {
        case .number(let value): self = value
        case .integer(let value): self = Double(value)
        default: return nil
        }
    }
}

extension String: ParameterValueType {
    public static var parameterKind: ParameterKind { .string }
    public var parameterValue: ParameterValue { .string(self) }
    public init?(parameterValue: ParameterValue, baseDirectory: URL) {
        guard case .string(let value) = parameterValue else { return nil }
        self = value
    }
}

extension Bool: ParameterValueType {
    public static var parameterKind: ParameterKind { .boolean }
    public var parameterValue: ParameterValue { .boolean(self) }
    public init?(parameterValue: ParameterValue, baseDirectory: URL) {
        guard case .boolean(let value) = parameterValue else { return nil }
        self = value
    }
}

/// An optional parameter: left unset (`null`, `~`, `none` or empty in a manifest), it is nil.
extension Optional: ParameterValueType where Wrapped: ParameterValueType {
    public static var parameterKind: ParameterKind { Wrapped.parameterKind }
    public var parameterValue: ParameterValue { map(\.parameterValue) ?? .none }
    public init?(parameterValue: ParameterValue, baseDirectory: URL) {
        if parameterValue == .none { self = .none; return }
        guard let value = Wrapped(parameterValue: parameterValue, baseDirectory: baseDirectory) else { return nil }
        self = .some(value)
    }
}
