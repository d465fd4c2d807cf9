import Foundation
import NBRunEngine

/// What is wrong with a sweep's command line, before anything runs.
public enum SweepError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidAxis(String, reason: String)
    case repeatedAxis(String)
    case sweptAndSet(String)
    case noAxes
    /// `grid`: the axes' value counts, `3 × 100 × …` (their product may not fit in an `Int`).
    case tooManyVariants(String, limit: Int)
    /// `--metric` names something no variant of the sweep recorded.
    case unknownMetric(String, known: [String])
    case invalidMetricName(String)

    public var description: String {
        switch self {
        case .invalidAxis(let text, let reason): return "invalid --sweep '\(text)': \(reason)"
        case .repeatedAxis(let key): return "--sweep names \(key) twice; give all its values in one --sweep"
        case .sweptAndSet(let key): return "\(key) is both swept and set with --set; drop one of them"
        case .noAxes: return "a sweep needs at least one --sweep STAGE.PARAMETER=V1,V2,…"
        case .tooManyVariants(let grid, let limit):
            return "the sweep's grid has \(grid) variants, more than the \(limit) nbrun runs in one sweep; split it"
        case .unknownMetric(let name, let known):
            return "no variant of the sweep recorded metric '\(name)'"
                + (known.isEmpty ? " (its stages record no metrics)" : "; recorded: \(known.joined(separator: ", "))")
        case .invalidMetricName(let name): return "invalid --metric '\(name)': expected STAGE.METRIC"
        }
    }
}
