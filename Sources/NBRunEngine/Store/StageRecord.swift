import Foundation

/// What a completed stage run left behind; `record.json` in the stage's folder, written
/// last so that its presence means the folder is complete.
public struct StageRecord: Codable, Sendable, Equatable {
    public struct Artifact: Codable, Sendable, Equatable {
        public var name: String
        public var sha256: String
        public var size: Int
    }

    public typealias Figure = StageFigure

    public static let currentFormat = 1

    public var format: Int = StageRecord.currentFormat
    public var stage: String
    public var kind: String
    public var fingerprint: String
    public var components: FingerprintComponents
    /// Display values of the resolved parameters.
    public var parameters: [String: String]
    public var artifacts: [Artifact]
    public var figures: [Figure]
    public var output: String
    public var startedAt: Date
    public var durationSeconds: Double
    public var peakMemoryBytes: UInt64
    /// What the stage measured (``StageContext/recordMetric(_:_:)``), for `nbrun runs` and
    /// sweep reports. Optional so that records from before metrics still load (they show
    /// none).
    public var metrics: [String: Double]?

    public func artifact(named name: String) -> Artifact? {
        artifacts.first { $0.name == name }
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
