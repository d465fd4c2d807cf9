import Foundation

/// What a stage declares about one parameter.
public struct ParameterSpec: Sendable, Hashable {
    public var name: String
    public var kind: ParameterKind
    public var defaultValue: ParameterValue
    public var description: String
    /// Whether `none` (or an empty value) leaves the parameter unset.
    public var isOptional: Bool

    /// `optional` defaults to whether the default is `.none`.
    public init(_ name: String, _ kind: ParameterKind, default defaultValue: ParameterValue, _ description: String,
                optional: Bool? = nil) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.description = description
        isOptional = optional ?? (defaultValue == .none)
    }
}
