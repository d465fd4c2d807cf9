import Foundation

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

    /// Differences between the last run's result and now (empty when fresh or never run).
    public var changes: [FingerprintChange] {
        freshness.causes.compactMap { if case .changed(let change) = $0 { change } else { nil } }
    }
}
