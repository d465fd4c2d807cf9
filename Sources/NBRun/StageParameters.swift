import Foundation

/// A stage's resolved parameters, which `@Parameter` properties read. Asking for an
/// undeclared name traps: the manifest was validated against the stage's declarations, so
/// it is a programming error in the stage, not bad user input.
public struct StageParameters: Sendable {
    public let values: [String: ParameterValue]
    /// Relative `.path` values resolve against this folder (the manifest's).
    public let baseDirectory: URL

    public init(_ values: [String: ParameterValue], baseDirectory: URL) {
        self.values = values
        self.baseDirectory = baseDirectory
    }

    public subscript(name: String) -> ParameterValue {
        guard let value = values[name] else {
            preconditionFailure("stage asked for undeclared parameter '\(name)'")
        }
        return value
    }
}
