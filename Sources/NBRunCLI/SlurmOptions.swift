import ArgumentParser
import Foundation
import NBRunEngine
import NBRunSweep

/// `--on slurm` and what is passed to `sbatch` (the run command's Slurm options).
struct SlurmOptions: ParsableArguments {
    @Option(name: .customLong("on"), help: ArgumentHelp(
        "Where a sweep runs: 'local' or 'slurm' (a job array through sbatch; the output and cache folders must be on a file system every node shares).",
        valueName: "local|slurm"))
    var target: String = "local"

    @Option(help: ArgumentHelp("Slurm partition for the sweep's jobs (sbatch --partition).", valueName: "name"))
    var partition: String?

    @Option(help: ArgumentHelp("Time limit of each job (sbatch --time, e.g. 30 or 2:00:00).", valueName: "limit"))
    var time: String?

    @Option(help: ArgumentHelp("CPUs per task (sbatch --cpus-per-task); each task trains with that many threads.", valueName: "n"))
    var cpusPerTask: Int?

    @Option(name: .customLong("sbatch-arg"), parsing: .unconditionalSingleValue, help: ArgumentHelp(
        "One more argument for sbatch, passed as given after nbrun's own (repeatable, in order), e.g. --sbatch-arg=--account=proj.",
        valueName: "arg"))
    var sbatchArguments: [String] = []

    @Flag(help: "With --on slurm: wait until the jobs end, then collect the sweep report (or report the failed tasks).")
    var wait = false

    var onSlurm: Bool { target == "slurm" }

    func validate() throws {
        guard target == "local" || target == "slurm" else {
            throw ValidationError("--on must be 'local' or 'slurm', got '\(target)'")
        }
        let slurmOnly = partition != nil || time != nil || cpusPerTask != nil || !sbatchArguments.isEmpty || wait
        if slurmOnly && !onSlurm {
            throw ValidationError("--partition, --time, --cpus-per-task, --sbatch-arg and --wait apply to --on slurm")
        }
        if let cpusPerTask, cpusPerTask < 1 { throw ValidationError("--cpus-per-task must be at least 1, got \(cpusPerTask)") }
        for value in [partition, time].compactMap({ $0 }) where value.isEmpty || value.contains(where: \.isNewline) {
            throw ValidationError("--partition and --time need a value on one line, got '\(value)'")
        }
        if let bad = sbatchArguments.first(where: { $0.isEmpty }) {
            throw ValidationError("--sbatch-arg needs a value, got '\(bad)'")
        }
    }

    var settings: SlurmJobSettings {
        SlurmJobSettings(partition: partition, timeLimit: time, cpusPerTask: cpusPerTask, extraArguments: sbatchArguments)
    }

    /// The binary running now: the tasks run this very file, already built for the nodes.
    static var currentExecutable: URL {
        if let real = realpath("/proc/self/exe", nil) {
            defer { free(real) }
            return URL(fileURLWithPath: String(cString: real))
        }
        return Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    }
}
