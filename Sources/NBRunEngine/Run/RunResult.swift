import Foundation

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
