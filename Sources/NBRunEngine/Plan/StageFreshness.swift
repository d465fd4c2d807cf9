import Foundation

/// Whether a stage's cached result can be used, and if not, why.
public enum StageFreshness: Sendable, Equatable {
    case fresh(StageRecord)
    /// A record exists but does not match; `causes` say what changed, in fingerprint order.
    case stale(StageRecord, causes: [StaleCause])
    /// No usable record (none, or damaged: `reason`).
    case neverRun(reason: String)

    public var record: StageRecord? {
        switch self {
        case .fresh(let record), .stale(let record, _): return record
        case .neverRun: return nil
        }
    }

    public var isFresh: Bool { if case .fresh = self { true } else { false } }

    /// Empty unless stale.
    public var causes: [StaleCause] { if case .stale(_, let causes) = self { causes } else { [] } }

    /// One line: `fresh`, `stale: code changed; …` or `never run`.
    public var summary: String {
        switch self {
        case .fresh: return "fresh"
        case .stale(_, let causes): return "stale: " + causes.map(\.description).joined(separator: "; ")
        case .neverRun(let reason): return "never run" + (reason.isEmpty ? "" : ": \(reason)")
        }
    }
}
