import Foundation
@testable import NBRun
@testable import NBRunCore

/// Reports built directly, for renderer tests that need values no stage would print.
enum ReportFixtures {
    static func record(stage: String, output: String = "", figures: [(String, String)] = []) -> StageRecord {
        StageRecord(
            stage: stage, kind: "demo.\(stage)", fingerprint: String(repeating: "0", count: 64),
            components: FingerprintComponents(kind: "demo.\(stage)", code: "", parameters: [:], inputData: [:], upstream: [:]),
            parameters: [:], artifacts: [], figures: figures.map { StageRecord.Figure(name: $0.0, caption: $0.1) },
            output: output, startedAt: Date(timeIntervalSince1970: 1_700_000_000), durationSeconds: 0.25,
            peakMemoryBytes: 40 << 20)
    }

    static func stage(_ name: String, state: ReportStage.State = .ranNow, source: String? = "struct S {}",
                      parameters: [ReportStage.Parameter] = [], partialOutput: String = "",
                      output: String = "", figures: [(String, String)] = [], fromThisRun: Bool = true) -> ReportStage {
        ReportStage(name: name, kind: "demo.\(name)", state: state, source: source, parameters: parameters,
                    partialOutput: partialOutput,
                    results: .init(record: record(stage: name, output: output, figures: figures), isFromThisRun: fromThisRun))
    }
}
