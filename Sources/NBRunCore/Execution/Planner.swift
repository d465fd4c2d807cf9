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

/// Where a fresh stage's result is when a run starts.
public enum ResultSource: Sendable, Equatable {
    /// The output folder's stage folder already shows it.
    case view
    /// A cached variant that the output folder does not show (`instead`: what it shows, or
    /// what is wrong with it): the run links the variant back in.
    case cache(instead: String)
    /// Only the output folder has it (a folder from before the variant cache, or a cache
    /// removed by hand): the run checks its hashes and adds it to the cache.
    case viewOnly
}

/// One stage of the notebook with its current fingerprint and cache state.
public struct StagePlan: Sendable {
    public var stage: StageCell
    public var components: FingerprintComponents
    public var freshness: StageFreshness
    /// Differences between the last run's result and now (empty when fresh or never run).
    public var changes: [FingerprintChange]
    /// Where the result of a fresh stage is (meaningless for the others).
    public var source: ResultSource = .view

    /// The status line: `fresh`, `stale: …`, `never run`, or for a variant the output
    /// folder does not show, where it comes from and what the folder shows instead.
    public var statusSummary: String {
        if freshness.isFresh, case .cache(let instead) = source {
            return "fresh: cached variant, put back in place by the next run (\(instead))"
        }
        return freshness.summary
    }

    public var fingerprint: String { components.fingerprint }
}

/// Decides freshness from records, artifact sizes and current fingerprints without
/// reading artifact contents, so a fully cached run stays fast. A stage is fresh when the
/// variant cache holds its current fingerprint (or, for a folder not yet migrated, when the
/// output folder shows it); otherwise the reasons compare with the last run's result.
public enum Planner {
    public static func plan(_ manifest: Manifest, registry: StageRegistry, store: ArtifactStore) throws(StorageError) -> [StagePlan] {
        var calculator = FingerprintCalculator(registry: registry, notebookDirectory: manifest.notebookDirectory)
        let components = try calculator.components(for: manifest)
        return manifest.stages.map { stage in
            let current = components[stage.name]!
            if case .present(let record) = store.cache.loadVariant(stage.name, fingerprint: current.fingerprint),
               store.quickCheck(record, in: store.cache.variantFolder(stage.name, fingerprint: current.fingerprint)) == nil {
                let difference = store.viewDifference(record)
                return StagePlan(stage: stage, components: current, freshness: .fresh(record), changes: [],
                                 source: difference == nil ? .view : .cache(instead: difference!))
            }
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
                return StagePlan(stage: stage, components: current, freshness: freshness, changes: changes, source: .viewOnly)
            }
        }
    }
}
