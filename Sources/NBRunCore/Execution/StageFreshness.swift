import Foundation

/// Whether a stage's cached result can be used, and if not, why.
public enum StageFreshness: Sendable {
    case fresh(StageRecord)
    /// A record exists but does not match; `reasons` say what changed.
    case stale(StageRecord, reasons: [String])
    /// No usable record (none, or damaged: `reason`).
    case neverRun(reason: String)

    public var record: StageRecord? {
        switch self {
        case .fresh(let record), .stale(let record, _): return record
        case .neverRun: return nil
        }
    }

    public var isFresh: Bool { if case .fresh = self { true } else { false } }

    /// One line: `fresh`, `stale: code changed; …` or `never run`.
    public var summary: String {
        switch self {
        case .fresh: return "fresh"
        case .stale(_, let reasons): return "stale: " + reasons.joined(separator: "; ")
        case .neverRun(let reason): return "never run" + (reason.isEmpty ? "" : ": \(reason)")
        }
    }
}
