import Foundation

/// The declared type of a stage parameter; the manifest's values are checked against it
/// before anything runs. Most types use one of the built-in shapes; a type with its own
/// text syntax declares it with ``custom(_:)``.
public indirect enum ParameterKind: Sendable, Hashable {
    case integer(ClosedRange<Int>? = nil)
    case number(ClosedRange<Double>? = nil)
    case string
    case boolean
    /// A file or folder, relative to the manifest's folder. Its *content* hash is part of
    /// the stage's fingerprint: replacing the data under the same name makes it stale.
    case path
    /// A list of values of one kind: a YAML list in a manifest, `0,10,20` (or `[0,10,20]`)
    /// on the command line.
    case list(ParameterKind)
    /// One of a fixed set of words, such as the cases of a `String`-backed enum.
    case choice([String])
    /// A type that reads its own text (see ``CustomParameterKind``).
    case custom(CustomParameterKind)
}

/// The declaration of a parameter type with its own syntax: what it is called in messages
/// and `nbrun stages`, and how its text becomes a checked ``ParameterValue``. Two kinds are
/// the same kind when their names are equal.
public struct CustomParameterKind: Sendable, Hashable {
    /// How the type reads in messages, e.g. `resolution such as 640x480`.
    public var name: String
    /// Reads one value; returns the value in the form that identifies it (two texts that
    /// mean the same value must give equal results, since the fingerprint is made from it).
    public var parse: @Sendable (String) -> Result<ParameterValue, ParameterKind.ParseFailure>

    public init(name: String, parse: @escaping @Sendable (String) -> Result<ParameterValue, ParameterKind.ParseFailure>) {
        self.name = name
        self.parse = parse
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}
