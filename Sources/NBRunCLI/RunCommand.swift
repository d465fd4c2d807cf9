import ArgumentParser
#if os(Linux)
import CProcessControl
#endif
import Foundation
import NBRunEngine
import NBRunSweep
import NBRunWatch

extension NBRunCommand {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a notebook's stages (skipping up-to-date ones) and write its report.")

        @OptionGroup var notebook: ManifestOptions

        @Option(help: ArgumentHelp("Rerun only this stage from cached upstream artifacts (stale upstream stages run first).", valueName: "name"))
        var stage: String?

        @Option(help: ArgumentHelp("Rerun this stage and every stage downstream of it.", valueName: "name"))
        var from: String?

        @Flag(help: "Ignore the cache: rerun every selected stage from scratch, discarding its checkpoints.")
        var force = false

        @Flag(help: "After a stage fails, go on with the stages that do not depend on it.")
        var keepGoing = false

        @Flag(help: "Say what would run and why; run nothing.")
        var dryRun = false

        // `.unconditional` so that `--threads -1` reaches `validate` (and its message) instead
        // of being taken for an option and reported as a missing value.
        @Option(parsing: .unconditional, help: ArgumentHelp("Worker threads a stage may use (default: active CPU count).", valueName: "n"))
        var threads: Int?

        @Flag(help: "Fail at once instead of waiting when another nbrun is using the output folder, computing a variant this run needs, or cleaning the cache.")
        var noWait = false

        @Option(name: .customLong("sweep"), help: ArgumentHelp(
            "Run every value of a parameter (repeatable: the repeats form a grid) and write sweep.md next to the report. "
                + "Values of a list parameter are separated by ';': 'stage.param=[0,10];[20,40]'.",
            valueName: "stage.param=v1,v2,…"))
        var sweeps: [String] = []

        @Option(help: ArgumentHelp("The metric the sweep report charts (default: the first one recorded).", valueName: "stage.metric"))
        var metric: String?

        @OptionGroup(title: "Sweeps on Slurm") var slurm: SlurmOptions

        /// Set by `nbrun watch` for the runs it starts: stages marked `watch: manual` are not run.
        @Flag(help: .hidden) var leaveManualStages = false

        func validate() throws {
            if slurm.onSlurm {
                if sweeps.isEmpty { throw ValidationError("--on slurm runs a sweep as a job array; add --sweep STAGE.PARAM=V1,V2,…") }
                if stage != nil || from != nil || force || dryRun || keepGoing || threads != nil {
                    throw ValidationError("--stage, --from, --force, --dry-run, --keep-going and --threads do not apply to --on slurm")
                }
            }
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
            if stage != nil && from != nil { throw ValidationError("use either --stage or --from, not both") }
            if metric != nil && sweeps.isEmpty { throw ValidationError("--metric chooses what a sweep charts; add --sweep") }
        }

        func run() throws {
            let events = RunEventWriter.fromEnvironment()
            #if os(Linux)
            // Started by `nbrun watch`: this run ends with it, whatever ends the watcher.
            if events != nil, ProcessInfo.processInfo.environment[StageSupervisor.workerVariable] == nil { _ = nbrun_die_with_parent() }
            #endif
            if !dryRun, !slurm.onSlurm, let status = StageSupervisor.superviseUnlessWorker(manifest: notebook.manifest) {
                if status != 0 { throw ExitCode(status) }
                return
            }
            events?.closeOnExec()
            var progressObserver: (@Sendable (String, String) -> Void)?
            if let events { progressObserver = { stage, text in events.send(.progress(stage: stage, text: text)) } }
            try reportingFailures {
                let console = Console.standardOutput(progressObserver: progressObserver)
                let cancellation = CancellationFlag()
                let (registry, compileFailures) = try makeRegistryForReport(for: notebook.manifest)
                for failure in compileFailures {
                    printError(failure.error.description)
                }
                if !compileFailures.isEmpty, !sweeps.isEmpty || dryRun { throw ExitCode(1) }
                let runner = Runner(registry: registry, console: console, cancellation: cancellation)
                let overrides = try notebook.parsedOverrides()
                let manifest = try notebook.load(with: runner, overrides: overrides)
                var options = notebook.runOptions()
                options.onlyStage = stage
                options.fromStage = from
                options.force = force
                options.keepGoing = keepGoing
                options.dryRun = dryRun
                options.waitForLock = !noWait
                options.crashedStages = StageSupervisor.reportedCrashes
                if !compileFailures.isEmpty {
                    // The report, with the last good results, and the messages at their stages.
                    var failing: [String: String] = [:]
                    for stage in manifest.stages {
                        for failure in compileFailures { if let message = failure.messagesByKind[stage.kind] { failing[stage.name] = message } }
                    }
                    options.codeDoesNotCompile = failing
                }
                options.stageStarting = StageSupervisor.stageStarting
                if let events {
                    events.send(WatchedRunInputs.event(manifest: manifest, options: options))
                    options.stageStarting = { name, fingerprint in
                        StageSupervisor.stageStarting(name, fingerprint)
                        events.send(.stageStarted(name: name, fingerprint: fingerprint))
                    }
                    options.decided = { stages in
                        events.send(.plan(stages.map { RunEvent.PlannedStage(name: $0.stage, fingerprint: $0.fingerprint, runs: $0.runs) }))
                    }
                }
                if leaveManualStages {
                    for stage in manifest.stages where !stage.rerunByWatch {
                        options.leftForManualRun[stage.name] = WatchedRunInputs.manualCommand(stage: stage.name)
                    }
                }
                if let threads { options.threadCount = threads }
                InterruptHandler.install(flag: cancellation, console: console)
                if !dryRun { try notebook.createCacheFolder() }
                if !sweeps.isEmpty {
                    let fixed = overrides
                    let grid = try SweepGrid(axes: sweeps.map { text throws(SweepError) in try SweepAxis(parsing: text) }, fixed: fixed)
                    if slurm.onSlurm {
                        try runOnSlurm(manifest, runner: runner, console: console, fixed: fixed, grid: grid, options: options)
                        return
                    }
                    let result = try runner.sweep(manifest, grid: grid, metric: metric, options: options, chartWriter: SweepChartPNG.write)
                    console.tidy()
                    if result.exitCode != 0 { throw ExitCode(result.exitCode) }
                    return
                }
                let result = try runner.run(manifest, options: options)
                console.tidy()
                if result.exitCode != 0 { throw ExitCode(result.exitCode) }
            }
        }
    }
}
