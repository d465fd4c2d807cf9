import ArgumentParser
import Foundation
import NBRunEngine

/// `nbrun` and its subcommands; the executable's `main.swift` only calls ``main()``.
public struct NBRunCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "nbrun",
        abstract: "Runs a notebook: its prose and Swift stages, with an artifact cache and a Markdown report.",
        discussion: """
            `nbrun NOTEBOOK.manifest` is short for `nbrun run NOTEBOOK.manifest`. Stages whose \
            cached artifacts are up to date are skipped; the report is written to \
            <output>/report.md on every run.
            """,
        subcommands: [Run.self, Watch.self, Status.self, Why.self, Runs.self, GC.self, Clean.self, Stages.self, New.self, SlurmTaskCommand.self],
        defaultSubcommand: Run.self)

    /// Starts with the signals that stop it unblocked. A parent may pass its own mask on
    /// (Foundation's `Process` does), and an nbrun with SIGTERM blocked could then be stopped
    /// by neither `kill`, `scancel` nor a time limit, only by SIGKILL. Other signals the
    /// parent blocked stay blocked.
    public static func main() {
        var stopping = sigset_t()
        sigemptyset(&stopping)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGQUIT] { sigaddset(&stopping, signal) }
        pthread_sigmask(SIG_UNBLOCK, &stopping, nil)
        main(nil)
    }

    public init() {}
}
