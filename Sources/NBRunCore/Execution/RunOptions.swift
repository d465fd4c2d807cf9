import Foundation

/// How a run selects and treats stages (the CLI's `run` options).
public struct RunOptions: Sendable {
    /// `--stage NAME`: rerun only this stage (stale or missing upstream stages are computed first).
    public var onlyStage: String?
    /// `--from NAME`: rerun this stage and everything downstream of it.
    public var fromStage: String?
    /// `--force`: ignore the cache and discard the resumable state of every selected stage.
    public var force = false
    /// `--keep-going`: after a failure, go on with stages that do not depend on it.
    public var keepGoing = false
    /// `--dry-run`: say what would run and why; run nothing, write nothing.
    public var dryRun = false
    public var threadCount = ProcessInfo.processInfo.activeProcessorCount
    /// `false` for `--no-wait`: fail at once when another nbrun holds the output lock.
    public var waitForLock = true
    /// Runs only these stages and what they read, each only if the cache lacks it (unlike
    /// `--stage`, which reruns it): the first job of a Slurm sweep computes the stages every
    /// variant shares this way.
    public var limitToStages: Set<String>?
    /// `--output DIR`, overriding the manifest's output folder.
    public var outputDirectory: URL?
    /// `--cache DIR`: where variants are kept, instead of `<output>/.cache` (a cache on a shared
    /// file system for Slurm tasks). The CLI checks it with ``CacheFolderCheck`` first.
    public var cacheDirectory: URL?
    /// Base of the default output folder (the process's current directory when nil).
    public var currentDirectory: URL?
    /// Simulates a disk with this many bytes free for a stage's outputs: a stage whose
    /// artifacts need more fails with "No space left on device", as on a full disk.
    /// For testing that a full disk leaves earlier results intact; nil in normal runs.
    public var simulatedFreeBytes: Int?

    public init() {}
}

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
    var usableRecord: StageRecord? {
        switch self {
        case .ranNow(let record), .cached(let record): return record
        default: return nil
        }
    }
}

/// The result of `Runner.run`.
public struct RunResult: Sendable {
    public var outputDirectory: URL
    /// nil for a dry run or when the report could not be written.
    public var reportURL: URL?
    public var plans: [StagePlan]
    public var outcomes: [String: StageOutcome]
    /// Stages executed in this run, in execution order (a recomputed producer can appear before its reader).
    public var executed: [String]
    /// Dry run only: each stage that would run, with the reason.
    public var wouldRun: [(stage: String, reason: String)]
    /// 0 success, 1 a stage failed or the report could not be written, 130 interrupted.
    public var exitCode: Int32
}
