import Foundation

/// A stage type and the file that declares it, exactly as compiled: its text feeds the
/// stage's fingerprint and is shown in the report.
public struct EmbeddedStage: Sendable {
    public var type: any Stage.Type
    public var fileName: String
    public var source: String

    public init(type: any Stage.Type, fileName: String, source: String) {
        self.type = type
        self.fileName = fileName
        self.source = source
    }
}
