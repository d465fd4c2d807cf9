/// What a run does with one stage, decided before anything runs, and why. `run`,
/// `--dry-run`, `status` and `why` all read this one value, so they cannot disagree about
/// which stages run. A run carries it out as decided; only what it discovers on the way
/// changes the outcome: an upstream stage that failed, a stop after a failure or Ctrl-C, a
/// cached file damaged since it was planned, or another process that commits the variant first.
///
/// The stage's cache state is reachable directly (`decision.freshness`, `decision.stage`)
/// as well as through ``plan``.
@dynamicMemberLookup
public struct StageDecision: Sendable {
    public enum Action: Sendable, Equatable {
        /// Use the cached variant, linking it into the output folder if that shows another.
        case useCache(StageRecord)
        /// Use the fresh result that only the output folder has (a folder from before the
        /// variant cache): its hashes are checked and it is added to the cache first.
        case adopt(StageRecord)
        /// Compute the stage, because its cache has no current result (`reason`, as
        /// ``StageFreshness/summary`` says it). `isPrerequisite`: a `--stage` or `--from`
        /// run computes it first because a selected stage reads it, which the run says,
        /// since the user did not name it.
        case run(reason: String, isPrerequisite: Bool)
        /// Compute the stage whatever its cache holds, because an option asks for it.
        case runForced(ForceCause)
        /// Leave the stage as it is, and say why: outside what `--stage` or `--from`
        /// selected, stale but marked `watch: manual`, or the notebook's code does not compile.
        case leave(reason: String)
        /// Fail the stage without running it: its code does not compile.
        case fail(error: String)
    }

    /// The stage's fingerprint and cache state the decision was made from.
    public let plan: StagePlan
    public let action: Action
    /// Whether the run considers the stage at all: everything, unless `--stage` or `--from`
    /// narrow it to the selected stages and what they read. A selected stage whose cached
    /// result turns out damaged is recomputed; one outside the selection is left.
    public let isSelected: Bool

    public subscript<Value>(dynamicMember keyPath: KeyPath<StagePlan, Value>) -> Value {
        plan[keyPath: keyPath]
    }

    /// Whether the stage is computed (stale or forced).
    public var runs: Bool {
        switch action {
        case .run, .runForced: return true
        case .useCache, .adopt, .leave, .fail: return false
        }
    }

    /// Whether the stage's current result is cached and used as it is.
    public var usesCache: Bool {
        switch action {
        case .useCache, .adopt: return true
        case .run, .runForced, .leave, .fail: return false
        }
    }

    /// The option that makes the stage run whatever its cache holds; nil when the cache decides.
    public var forcedBy: ForceCause? {
        if case .runForced(let cause) = action { cause } else { nil }
    }

    public var isPrerequisite: Bool {
        if case .run(_, let isPrerequisite) = action { isPrerequisite } else { false }
    }

    /// One line, as `status` shows it and a run or dry run says why it runs or skips the
    /// stage: `--force`, `stale: …`, `never run`, `fresh`, `not selected (…)`.
    public var summary: String {
        switch action {
        case .run(let reason, _): return reason
        case .runForced(let cause): return cause.description
        case .useCache, .adopt: return plan.statusSummary
        case .leave(let reason): return reason
        case .fail(let error): return error
        }
    }

    /// Every stage's decision for a run with `options`, in manifest order.
    static func decide(_ plans: [StagePlan], manifest: Manifest, options: RunOptions) -> [StageDecision] {
        let selection = Selection(manifest: manifest, options: options)
        return plans.map { plan in
            let name = plan.stage.name
            // Code that does not compile selects nothing: no stage runs, not even to replace a damaged result.
            let isSelected = options.codeDoesNotCompile == nil && selection.scope.contains(name)
            return StageDecision(plan: plan, action: action(for: plan, forcedBy: selection.forceCause(name), isSelected: isSelected,
                                                            isTargeted: selection.isTargeted, options: options),
                                 isSelected: isSelected)
        }
    }

    private static func action(for plan: StagePlan, forcedBy: ForceCause?, isSelected: Bool, isTargeted: Bool,
                               options: RunOptions) -> Action {
        let name = plan.stage.name
        let cached: Action? = if case .fresh(let record) = plan.freshness {
            if case .viewOnly = plan.source { .adopt(record) } else { .useCache(record) }
        } else { nil }
        // The registry is the last one that compiled: a fresh result is still shown, and no
        // stage runs code that may no longer be the notebook's.
        if let failures = options.codeDoesNotCompile {
            if let message = failures[name] { return .fail(error: message) }
            return cached ?? .leave(reason: "the notebook's code does not compile")
        }
        if forcedBy == nil, let cached { return cached }
        guard isSelected else { return .leave(reason: "not selected (\(plan.freshness.summary))") }
        // Left only when there is a result to show: a stage never run runs once.
        if let command = options.leftForManualRun[name], plan.freshness.record != nil {
            return .leave(reason: "stale, and marked `watch: manual`: run it with \(command)")
        }
        if let forcedBy { return .runForced(forcedBy) }
        return .run(reason: plan.freshness.summary, isPrerequisite: isTargeted)
    }
}
