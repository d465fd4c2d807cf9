import Foundation

/// A Swift type a stage parameter can have. Any type adopts it by saying three things:
///
/// - ``parameterKind``: how a manifest's YAML value or a `--set` text is read and checked,
///   and how the type is described in messages and by `nbrun stages`. A type with a syntax
///   of its own declares ``ParameterKind/custom(_:)``.
/// - ``parameterValue``: the value as nbrun carries it. Its ``ParameterValue/canonical``
///   text is what the stage's fingerprint holds, and its description is what the report
///   and `nbrun stages` show.
/// - ``init(parameterValue:baseDirectory:)``: the checked value back as the type.
///
/// `Int`, `Double`, `String`, `Bool`, ``NotebookPath``, `Optional` and `Array` of any
/// parameter type adopt it, and so does any `String`-backed `CaseIterable` enum that
/// declares the conformance (`enum Cell: String, CaseIterable, ParameterValueType`).
public protocol ParameterValueType: Sendable {
    /// The declared kind, before any range.
    static var parameterKind: ParameterKind { get }
    /// The value as a manifest would write it (the default shown by `nbrun stages`).
    var parameterValue: ParameterValue { get }
    /// The checked manifest value; nil if it is not of this type (a programming error, since
    /// the manifest was validated against the declared kind).
    init?(parameterValue: ParameterValue, baseDirectory: URL)
    /// Whether the parameter may be left unset (`none`); only `Optional` says yes.
    static var isOptionalParameter: Bool { get }
}

extension ParameterValueType {
    public static var isOptionalParameter: Bool { false }
}

/// A choice among an enum's cases, written as their raw values (`cell: gru`).
extension ParameterValueType where Self: RawRepresentable & CaseIterable, RawValue == String {
    public static var parameterKind: ParameterKind { .choice(allCases.map(\.rawValue)) }
    public var parameterValue: ParameterValue { .string(rawValue) }
    public init?(parameterValue: ParameterValue, baseDirectory: URL) {
        guard case .string(let word) = parameterValue else { return nil }
        self.init(rawValue: word)
    }
}

/// A list: a YAML list in a manifest (`delays: [0, 10, 20]`), elements separated by commas
/// on the command line (`--set remembering.delays=0,10,20`).
extension Array: ParameterValueType where Element: ParameterValueType {
    public static var parameterKind: ParameterKind { .list(Element.parameterKind) }
    public var parameterValue: ParameterValue { .list(map(\.parameterValue)) }
    public init?(parameterValue: ParameterValue, baseDirectory: URL) {
        guard case .list(let values) = parameterValue else { return nil }
        var elements: [Element] = []
        elements.reserveCapacity(values.count)
        for value in values {
            guard let element = Element(parameterValue: value, baseDirectory: baseDirectory) else { return nil }
            elements.append(element)
        }
        self = elements
    }
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
    public static var isOptionalParameter: Bool { true }
    public var parameterValue: ParameterValue { map(\.parameterValue) ?? .none }
    public init?(parameterValue: ParameterValue, baseDirectory: URL) {
        if parameterValue == .none { self = .none; return }
        guard let value = Wrapped(parameterValue: parameterValue, baseDirectory: baseDirectory) else { return nil }
        self = .some(value)
    }
}
