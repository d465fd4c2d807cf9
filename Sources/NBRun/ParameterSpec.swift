import Foundation

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
