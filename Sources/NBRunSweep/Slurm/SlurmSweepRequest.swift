import Foundation
import NBRunEngine

/// A sweep to run on Slurm (`nbrun NOTEBOOK --sweep … --on slurm`).
public struct SlurmSweepRequest: Sendable {
    /// The notebook, loaded with the `fixed` overrides; the record names its file and the
    /// overrides, and each task loads it from there.
    public var manifest: Manifest
    public var fixed: [ParameterOverride]
    public var grid: SweepGrid
    public var metric: String?
    public var settings: SlurmJobSettings
    /// `--wait`: follow the jobs until they end, then collect the sweep report.
    public var wait: Bool
    /// The nbrun binary the tasks run: the one submitting, already built for the nodes.
    public var nbrun: URL
    /// Seconds between two looks at the queue while waiting.
    public var pollInterval: Double = 2
    /// Called with the sweep's Slurm folder before anything is submitted: the CLI compiles
    /// the notebooks there, on the file system the tasks share, since tasks never compile.
    public var prepareTasks: (@Sendable (URL) throws -> Void)?

    public init(manifest: Manifest, fixed: [ParameterOverride], grid: SweepGrid, metric: String?, settings: SlurmJobSettings,
                wait: Bool, nbrun: URL) {
        self.manifest = manifest
        self.fixed = fixed
        self.grid = grid
        self.metric = metric
        self.settings = settings
        self.wait = wait
        self.nbrun = nbrun
    }
}

/// A variant that is not in the cache after its task ended: what to look at.
public struct SlurmTaskFailure: Sendable, Equatable, CustomStringConvertible {
    public var variant: Int
    public var overrides: String
    /// `<array>_<index>`, or the shared job's ID when that failed first.
    public var jobID: String?
    /// The scheduler's last word on the job (`FAILED`, `CANCELLED`, `TIMEOUT`), if it still remembers it.
    public var state: String?
    public var log: String?

    public var description: String {
        guard let jobID else { return "variant \(variant + 1) (\(overrides)) is missing and was never submitted" }
        return "variant \(variant + 1) (\(overrides)) failed: Slurm job \(jobID)"
            + (state.map { " (\($0))" } ?? "") + (log.map { ", log: \($0)" } ?? "")
    }
}

/// What `Runner.slurmSweep` did.
public struct SlurmSweepOutcome: Sendable {
    /// Variants (grid indices) submitted by this command.
    public var submitted: [Int] = []
    /// Variants still queued or running when the command returned.
    public var pending: [Int] = []
    public var failures: [SlurmTaskFailure] = []
    /// The collected sweep report, once every variant is in the cache.
    public var sweep: SweepResult?
    public var exitCode: Int32 = 0
}
