import ArgumentParser
import Foundation
import NBRunEngine
import NBRunSweep

extension NBRunCommand.Run {
    /// `--sweep … --on slurm`: submits what is missing, and with `--wait` collects the report.
    func runOnSlurm(_ loaded: Manifest, runner: Runner, console: Console, fixed: [ParameterOverride], grid: SweepGrid,
                    options: RunOptions) throws {
        var request = SlurmSweepRequest(
            manifest: loaded, fixed: fixed, grid: grid, metric: metric,
            settings: slurm.settings, wait: slurm.wait, nbrun: SlurmOptions.currentExecutable)
        // The notebooks, compiled where the tasks load them.
        let manifest = notebook.manifest
        request.prepareTasks = { folder in
            let plugins = folder.appendingPathComponent(SlurmSweepRecord.pluginsFolderName)
            // nbrun's own folder, never a link planted in the output folder.
            let kind = FileKind.of(plugins.path)
            guard kind == .missing || kind == .directory else {
                throw StorageError.unexpectedEntry(path: plugins.path, kind: kind.description, expected: "its folder of compiled notebooks")
            }
            _ = try makeRegistry(for: manifest, pluginCache: plugins)
        }
        let outcome: SlurmSweepOutcome
        do {
            outcome = try runner.slurmSweep(request, options: options, chartWriter: SweepChartPNG.write)
        } catch SweepFailure.slurm(.stoppedWaiting) {
            console.tidy()
            throw SlurmError.stoppedWaiting
        }
        console.tidy()
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}
