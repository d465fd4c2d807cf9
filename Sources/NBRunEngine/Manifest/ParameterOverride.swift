import Foundation

/// One `--set stage.parameter=value` from the command line. Typed against the stage's
/// declaration when the manifest loads; part of the fingerprint and shown in the report.
public struct ParameterOverride: Sendable, Hashable, CustomStringConvertible {
    public var stage: String
    public var parameter: String
    public var value: String

    public init(stage: String, parameter: String, value: String) {
        self.stage = stage
        self.parameter = parameter
        self.value = value
    }

    /// Parses `stage.parameter=value` (the stage name is everything before the first dot).
    public init(parsing text: String) throws(ManifestError) {
        guard let equals = text.firstIndex(of: "=") else {
            throw .invalidOverride(text, reason: "expected STAGE.PARAMETER=VALUE")
        }
        let key = text[..<equals]
        guard let dot = key.firstIndex(of: "."), dot != key.startIndex, key.index(after: dot) != key.endIndex else {
            throw .invalidOverride(text, reason: "expected STAGE.PARAMETER=VALUE")
        }
        self.init(
            stage: String(key[..<dot]),
            parameter: String(key[key.index(after: dot)...]),
            value: String(text[text.index(after: equals)...]))
    }

    public var description: String { "\(stage).\(parameter)=\(value)" }
}
