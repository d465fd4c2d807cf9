import Foundation
import NBRunEngine

/// Why a Slurm sweep could not be submitted, followed or collected. A task that failed on
/// a node is not one of these: it is reported with its job ID and log (``SlurmTaskFailure``).
public enum SlurmError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `sbatch`, `squeue` or `scontrol` is not on PATH.
    case toolNotFound(String)
    /// A Slurm command exited with an error (it printed `message`).
    case commandFailed(command: String, status: Int32, message: String)
    /// `sbatch --parsable` printed something that is not a job ID.
    case unexpectedJobID(String)
    case unreadableRecord(path: String, reason: String)
    case invalidSetting(String)
    /// A `slurm-task` whose array index has no variant in the record.
    case unknownTask(path: String, index: String)
    /// A shared-stages job whose submission in the record names no shared stages.
    case noSharedStages(path: String, submission: Int)
    /// Ctrl-C while `--wait` followed the jobs: they go on without nbrun watching.
    case stoppedWaiting

    public var description: String {
        switch self {
        case .toolNotFound(let tool):
            return "\(tool) not found on PATH: run this on a Slurm login node (or install slurm-client), or drop --on slurm"
        case .commandFailed(let command, let status, let message):
            let text = message.trimmingCharacters(in: .whitespacesAndNewlines)
            return "\(command) failed (exit \(status))" + (text.isEmpty ? "" : ": \(text)")
        case .unexpectedJobID(let text):
            return "sbatch --parsable printed '\(text)' instead of a job ID"
        case .unreadableRecord(let path, let reason):
            return "cannot read the Slurm submission record \(path): \(reason)"
        case .invalidSetting(let reason):
            return reason
        case .unknownTask(let path, let index):
            return "array task \(index) has no variant in \(path)"
        case .noSharedStages(let path, let submission):
            return "submission \(submission) in \(path) names no shared stages for this job to compute"
        case .stoppedWaiting:
            return "stopped waiting; the Slurm jobs go on: run the same command again to follow them and collect the sweep report"
        }
    }
}
