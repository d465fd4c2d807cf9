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

/// One stage of the notebook with its current fingerprint and cache state.
public struct StagePlan: Sendable {
    public var stage: StageCell
    public var components: FingerprintComponents
    public var freshness: StageFreshness
    /// Differences between the cached run and now (empty when fresh or never run).
    public var changes: [FingerprintChange]

    public var fingerprint: String { components.fingerprint }
}

/// Decides freshness from records, artifact sizes and current fingerprints without
/// reading artifact contents, so a fully cached run stays fast.
public enum Planner {
    public static func plan(_ manifest: Manifest, registry: StageRegistry, store: ArtifactStore) throws(StorageError) -> [StagePlan] {
        var calculator = FingerprintCalculator(registry: registry, notebookDirectory: manifest.notebookDirectory)
        let components = try calculator.components(for: manifest)
        return manifest.stages.map { stage in
            let current = components[stage.name]!
            switch store.loadRecord(stage.name) {
            case .missing:
                return StagePlan(stage: stage, components: current, freshness: .neverRun(reason: ""), changes: [])
            case .damaged(let reason):
                return StagePlan(stage: stage, components: current, freshness: .neverRun(reason: reason), changes: [])
            case .present(let record):
                let changes = record.fingerprint == current.fingerprint ? [] : record.components.changes(to: current)
                var reasons = changes.map(\.description)
                if record.fingerprint != current.fingerprint, reasons.isEmpty { reasons.append("fingerprint format changed") }
                if let problem = store.quickCheck(record) { reasons.append(problem) }
                let freshness: StageFreshness = reasons.isEmpty ? .fresh(record) : .stale(record, reasons: reasons)
                return StagePlan(stage: stage, components: current, freshness: freshness, changes: changes)
            }
        }
    }
}
