import Foundation
import NBRunEngine

/// What the user asked `sbatch` for: passed through unchanged, after nbrun's own options, so
/// a site's required flags (`--account`, `--qos`, `--constraint`) reach the scheduler as typed.
public struct SlurmJobSettings: Sendable, Equatable, Codable {
    public var partition: String?
    public var timeLimit: String?
    public var cpusPerTask: Int?
    /// `--sbatch-arg ARG`, each one argument, in the order given.
    public var extraArguments: [String]

    public init(partition: String? = nil, timeLimit: String? = nil, cpusPerTask: Int? = nil, extraArguments: [String] = []) {
        self.partition = partition
        self.timeLimit = timeLimit
        self.cpusPerTask = cpusPerTask
        self.extraArguments = extraArguments
    }

    /// The user's part of the argument list, in a fixed order, then every extra argument as given.
    public var arguments: [String] {
        var result: [String] = []
        if let partition { result.append("--partition=\(partition)") }
        if let timeLimit { result.append("--time=\(timeLimit)") }
        if let cpusPerTask { result.append("--cpus-per-task=\(cpusPerTask)") }
        return result + extraArguments
    }
}

/// The argument vectors and job scripts nbrun hands to `sbatch`. Arguments go to `sbatch`
/// as an argv array, never through a shell; the job script, read by `sbatch` from standard
/// input, only `exec`s the nbrun binary with quoted paths, and the task finds its variant in
/// the submission record, so no parameter value ever passes through a shell.
public enum SbatchCommand {
    /// `sbatch` arguments for the job that computes the stages every variant shares.
    public static func sharedJobArguments(jobName: String, logFolder: URL, settings: SlurmJobSettings) -> [String] {
        ["--parsable", "--job-name=\(jobName)", "--output=\(logFolder.path)/slurm-%j.log"] + settings.arguments
    }

    /// `sbatch` arguments for the array of `taskCount` variants, after `dependency` (a job ID)
    /// when the shared stages are still being computed. `--kill-on-invalid-dep` makes Slurm
    /// cancel the array when that job fails, instead of leaving it pending forever.
    public static func arrayArguments(jobName: String, logFolder: URL, taskCount: Int, dependency: String?,
                                      settings: SlurmJobSettings) -> [String] {
        var result = ["--parsable", "--job-name=\(jobName)", "--output=\(logFolder.path)/slurm-%A_%a.log",
                      "--array=0-\(taskCount - 1)"]
        if let dependency { result += ["--dependency=afterok:\(dependency)", "--kill-on-invalid-dep=yes"] }
        return result + settings.arguments
    }

    /// The batch script: the task runs the very binary that submitted it (tasks never build).
    public static func script(nbrun: String, record: String, submission: Int, shared: Bool) -> String {
        """
        #!/bin/sh
        # A task of an nbrun sweep on Slurm: its variant is in the submission record.
        exec \(shellQuoted(nbrun)) slurm-task \(shellQuoted(record)) --submission \(submission)\(shared ? " --shared" : "")

        """
    }

    /// `'…'` with every `'` written as `'\''`: the POSIX shell takes everything else literally.
    public static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The log path of an array task, as `--output` names it.
    public static func taskLog(logFolder: URL, arrayJobID: String, index: Int) -> String {
        "\(logFolder.path)/slurm-\(arrayJobID)_\(index).log"
    }

    public static func sharedLog(logFolder: URL, jobID: String) -> String {
        "\(logFolder.path)/slurm-\(jobID).log"
    }

    /// The job ID from `sbatch --parsable` (`123` or `123;cluster`).
    public static func jobID(fromParsable output: String) throws(SlurmError) -> String {
        let line = output.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        let id = String(line.prefix { $0 != ";" }).trimmingCharacters(in: .whitespaces)
        guard !id.isEmpty, id.allSatisfy(\.isASCII), id.allSatisfy(\.isNumber) else { throw .unexpectedJobID(output) }
        return id
    }
}
