/// What happened to one stage in a run.
public enum StageOutcome: Sendable {
    case ranNow(StageRecord)
    case cached(StageRecord)
    /// The stage threw: its error, what it printed first, and the last committed result (still in place).
    case failed(error: String, output: String, previous: StageRecord?)
    case interrupted(output: String, previous: StageRecord?)
    /// Not run this time (not selected, or after a failure); `previous` is its last result, if any.
    case notRun(reason: String, previous: StageRecord?)

    public var completed: Bool {
        switch self {
        case .ranNow, .cached: return true
        default: return false
        }
    }

    /// The committed result usable by downstream stages.
    package var usableRecord: StageRecord? {
        switch self {
        case .ranNow(let record), .cached(let record): return record
        default: return nil
        }
    }
}
