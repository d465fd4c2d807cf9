/// What a run does with one stage, decided before anything runs, and why. `run`,
/// `--dry-run`, `status` and `why` all read this one value, so they cannot disagree about
/// which stages run; only what a run discovers on the way (a failed upstream stage, a
/// cached file damaged since) can change the outcome.
///
/// The stage's cache state is reachable directly (`decision.freshness`, `decision.stage`)
/// as well as through ``plan``.
@dynamicMemberLookup
public struct StageDecision: Sendable {
    public enum Action: Sendable, Equatable {
        /// Compute the stage: an option asks for it (``StageDecision/forcedBy``) or its cache
        /// has no current result (``StageDecision/freshness``).
        case run
        /// Use the cached result, linking it back into the output folder if that shows another.
        case useCache
        /// Not current, but outside what `--stage` or `--from` selected: left as it is.
        case skipUnselected
    }

    /// The stage's fingerprint and cache state the decision was made from.
    public let plan: StagePlan
    public let action: Action
    /// The option that makes the stage run whatever its cache holds; nil when the cache decides.
    public let forcedBy: ForceCause?
    /// Whether the run considers the stage at all: everything, unless `--stage` or `--from`
    /// narrow it to the selected stages and what they read.
    public let isSelected: Bool
    /// A stale stage that a `--stage` or `--from` run computes first because a selected
    /// stage reads it (the run says so, since the user did not name it).
    public let isPrerequisite: Bool

    public subscript<Value>(dynamicMember keyPath: KeyPath<StagePlan, Value>) -> Value {
        plan[keyPath: keyPath]
    }

    /// One line, as `status` shows it and a run or dry run says why it runs or skips the
    /// stage: `--force`, `stale: …`, `never run`, `fresh`, `not selected (…)`.
    public var summary: String {
        switch action {
        case .run: return forcedBy?.description ?? plan.freshness.summary
        case .useCache: return plan.statusSummary
        case .skipUnselected: return "not selected (\(plan.freshness.summary))"
        }
    }

    /// Every stage's decision for a run with `options`, in manifest order.
    static func decide(_ plans: [StagePlan], manifest: Manifest, options: RunOptions) -> [StageDecision] {
        let selection = Selection(manifest: manifest, options: options)
        return plans.map { plan in
            let name = plan.stage.name
            let forcedBy = selection.forceCause(name)
            let isSelected = selection.scope.contains(name)
            let action: Action
            if forcedBy == nil, plan.freshness.isFresh {
                action = .useCache
            } else if isSelected {
                action = .run
            } else {
                action = .skipUnselected
            }
            return StageDecision(plan: plan, action: action, forcedBy: forcedBy, isSelected: isSelected,
                                 isPrerequisite: action == .run && forcedBy == nil && selection.isTargeted)
        }
    }
}
