import Foundation
import NBRun
import NBRunReport

/// Reports built directly, for renderer tests that need values no stage would print.
package enum ReportFixtures {
    package static func results(output: String = "", figures: [(String, String)] = [], artifactNames: Set<String> = [],
                                metrics: [String: Double] = [:], fromThisRun: Bool = true) -> ReportStage.Results {
        ReportStage.Results(
            output: output, metrics: metrics, figures: figures.map { StageFigure(name: $0.0, caption: $0.1) },
            artifactNames: artifactNames, startedAt: Date(timeIntervalSince1970: 1_700_000_000), durationSeconds: 0.25,
            peakMemoryBytes: 40 << 20, isFromThisRun: fromThisRun)
    }

    package static func stage(_ name: String, state: ReportStage.State = .ranNow, source: String? = "struct S {}",
                              parameters: [ReportStage.Parameter] = [], partialOutput: String = "",
                              output: String = "", figures: [(String, String)] = [], fromThisRun: Bool = true) -> ReportStage {
        ReportStage(name: name, kind: "demo.\(name)", state: state, source: source, parameters: parameters,
                    partialOutput: partialOutput, results: results(output: output, figures: figures, fromThisRun: fromThisRun))
    }
}
