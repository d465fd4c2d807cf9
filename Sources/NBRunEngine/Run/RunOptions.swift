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
    /// Stage variants whose last attempt in this run brought the process down (a trap, a
    /// stack overflow, memory exhaustion), by ``crashKey(stage:fingerprint:)``, with what was
    /// learnt of it: such a variant fails at once with that message, as if it had thrown,
    /// instead of running again.
    public var crashedStages: [String: String] = [:]

    public static func crashKey(stage: String, fingerprint: String) -> String { "\(stage)@\(fingerprint)" }
    /// Set when the notebook's code does not compile and the registry is its last good
    /// version: nothing runs; these stages (by name) fail with the compiler's messages, and
    /// every other stage shows its last result.
    public var codeDoesNotCompile: [String: String]?
    /// Told each stage's name and fingerprint just before the stage's code runs, so that a
    /// supervising process knows which stage variant a crash belongs to.
    public var stageStarting: (@Sendable (String, String) -> Void)?
    /// Set by `nbrun watch` for the stages marked `watch: manual`: each such stage, when it is
    /// stale, is not run; it is shown as not run with this text (the command that runs it),
    /// its last result kept, and the stages that read it wait with it. One that never ran
    /// runs, since there is nothing else to show.
    public var leftForManualRun: [String: String] = [:]
    /// Told, once the run has decided, each stage's fingerprint and whether it runs (in
    /// manifest order): `nbrun watch` compares a running stage's fingerprint with the one a
    /// save gives it, and marks on the page what is about to be recomputed.
    public var decided: (@Sendable ([(stage: String, fingerprint: String, runs: Bool)]) -> Void)?

    public init() {}
}
