import NBRunEngine

/// How `nbrun why` lays out a stage's explanation: a header saying whether it would rerun,
/// one line per cause (an upstream change followed by what changed there), and what the
/// cached run cost.
enum WhyText {
    static func header(_ decision: StageDecision) -> String {
        switch decision.action {
        case .run, .runForced: return "would rerun"
        case .useCache, .adopt: return "fresh"
        case .leave(let reason): return reason
        case .fail(let error): return error
        }
    }

    static func render(_ explanation: StageExplanation) -> String {
        let decision = explanation.decision
        var lines = ["\(decision.stage.name) (\(decision.stage.kind)): \(header(decision))"]
        if let forced = decision.forcedBy { lines.append("  - \(forced.description)") }
        switch decision.freshness {
        case .fresh:
            if decision.forcedBy == nil { lines.append("  nothing changed since its cached run") }
        case .neverRun(let reason):
            lines.append("  never run" + (reason.isEmpty ? "" : ": \(reason)"))
        case .stale(_, let causes):
            for cause in causes {
                var line = "  - \(cause.description)"
                if case .changed(.upstream(let stage)) = cause, let upstream = explanation.upstream[stage],
                   case .stale(_, let upstreamCauses) = upstream.freshness {
                    line += " (\(stage): \(upstreamCauses.map(\.description).joined(separator: "; ")))"
                }
                lines.append(line)
            }
        }
        if let record = decision.freshness.record {
            lines.append("  cached run: \(ReportFormat.isoDate(record.startedAt)), took \(ReportFormat.duration(record.durationSeconds)), "
                + "peak memory \(ReportFormat.bytes(record.peakMemoryBytes))")
        }
        // Causes quote parameter values (a `--set`, a record's): one escaped line each.
        return lines.map(Console.oneLine).joined(separator: "\n")
    }
}
