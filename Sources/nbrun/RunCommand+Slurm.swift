import ArgumentParser
import Foundation
import NBRunCore

extension NBRun.Run {
    /// `--sweep … --on slurm`: submits what is missing, and with `--wait` collects the report.
    func runOnSlurm(runner: Runner, console: Console, fixed: [ParameterOverride], grid: SweepGrid, options: RunOptions) throws {
        let request = SlurmSweepRequest(
            manifest: notebook.manifestURL.standardizedFileURL.absoluteURL, fixed: fixed, grid: grid, metric: metric,
            settings: slurm.settings, wait: slurm.wait, nbrun: SlurmOptions.currentExecutable)
        let outcome: SlurmSweepOutcome
        do {
            outcome = try runner.slurmSweep(request, options: options, chartWriter: SweepChartPNG.write)
        } catch RunError.manifest(let error) {
            throw CommandFailure(message: error.description, exitCode: 2)
        } catch RunError.sweep(let error) {
            throw CommandFailure(message: error.description, exitCode: 2)
        } catch RunError.slurm(.stoppedWaiting) {
            console.tidy()
            throw CommandFailure(message: SlurmError.stoppedWaiting.description, exitCode: 130)
        }
        console.tidy()
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}
