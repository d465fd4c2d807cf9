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
