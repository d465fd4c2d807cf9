import ArgumentParser
import Dispatch
import Foundation
import NBRunEngine
import NBRunSweep

extension NBRunCommand {
    /// What a Slurm job runs on its node; not for people (hidden from --help).
    struct SlurmTaskCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "slurm-task",
            abstract: "Run one task of a Slurm sweep (started by the job script nbrun submits).",
            shouldDisplay: false)

        @Argument(help: "The submission record, <output>/slurm/sweep.json.")
        var record: String

        @Option(help: "Which submission of the record the job belongs to.")
        var submission: Int

        @Flag(help: "The first job: only the stages every variant shares.")
        var shared = false

        func run() throws {
            try reportingFailures {
                let console = Console.standardOutput()
                let cancellation = CancellationFlag()
                // scancel and the time limit send SIGTERM, then SIGKILL after KillWait: stop the
                // stage like Ctrl-C does, so its checkpoints stay for the next submission.
                TerminationHandler.install(flag: cancellation, console: console)
                let task = SlurmTask(recordURL: URL(fileURLWithPath: record), submission: submission, shared: shared)
                // A task loads the notebooks the submission compiled into the sweep's Slurm
                // folder; it never compiles.
                let status = try task.run(console: console) { record in
                    let plugins = SlurmSweepRecord.url(in: URL(fileURLWithPath: record.outputDirectory)).deletingLastPathComponent()
                        .appendingPathComponent(SlurmSweepRecord.pluginsFolderName)
                    let registry = try makeRegistry(for: record.manifest, mayCompile: false, pluginCache: plugins)
                    return Runner(registry: registry, console: console, cancellation: cancellation)
                }
                console.tidy()
                if status != 0 { throw ExitCode(status) }
            }
        }
    }
}

/// SIGTERM as a request to stop: the running stage is cancelled and nothing half-done is committed.
enum TerminationHandler {
    nonisolated(unsafe) private static var source: (any DispatchSourceSignal)?

    static func install(flag: CancellationFlag, console: Console) {
        signal(SIGTERM, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
        source.setEventHandler {
            flag.cancel()
            console.line("nbrun: SIGTERM received (scancel or the time limit), stopping the current stage")
        }
        source.resume()
        Self.source = source
    }
}
