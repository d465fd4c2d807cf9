import Foundation
import NBRunEngine

extension Runner {
    /// Runs a sweep on Slurm: plans every variant here (their fingerprints and what the cache
    /// holds), submits what is missing, and collects the sweep report once every variant is
    /// cached, exactly as a local sweep writes it (`sweep.md`, `sweep.png`, `report.md` of the
    /// last variant), restoring every variant from the cache the tasks filled.
    ///
    /// Stages every variant shares and the cache lacks are computed once, by a first job; the
    /// array of variants waits for it (`afterok`). Variants already cached, or still queued or
    /// running from an earlier submission, are not submitted again, so submitting again after
    /// a failure or an `scancel` runs only what is missing.
    public func slurmSweep(_ request: SlurmSweepRequest, options: RunOptions, scheduler: SlurmScheduler = SlurmScheduler(),
                           chartWriter: SweepChartWriter?) throws(SweepFailure) -> SlurmSweepOutcome {
        let (combinations, manifests) = try variants(of: request.manifest, grid: request.grid)
        if let metric = request.metric { _ = try Self.metricStage(metric, stages: manifests[0].stages.map(\.name)) }
        let store = ArtifactStore(for: manifests[0], options: options)
        let recordURL = SlurmSweepRecord.url(in: store.outputDirectory)
        let logFolder = recordURL.deletingLastPathComponent()
        var outcome = SlurmSweepOutcome()

        let lock = try SweepFailure.ofRun { () throws(RunError) in try lockForRun(manifests[0], store: store, options: options) }
        var lockHeld = true
        defer { if lockHeld { lock.release() } }
        do { try store.cache.checkFolders(stages: manifests[0].stages.map(\.name)) } catch { throw .storage(error) }
        let plan = try SlurmSweepPlan(manifests: manifests, runner: self, store: store)
        var record = SlurmSweepRecord(
            manifest: request.manifest.fileURL.standardizedFileURL.path, fixed: request.fixed.map(\.description),
            axes: request.grid.axes.map(\.description), outputDirectory: store.outputDirectory.path,
            cacheDirectory: options.cacheDirectory?.standardizedFileURL.path, metric: request.metric,
            variants: combinations.map { $0.map(\.description) })
        do {
            if let earlier = try SlurmSweepRecord.load(from: recordURL), earlier.isSameSweep(as: record) {
                record.submissions = earlier.submissions
            }
        } catch { throw .slurm(error) }
        let active: [String: String]
        do { active = try scheduler.activeJobs() } catch { throw .slurm(error) }
        let inFlight = Set(record.submissions.flatMap(\.tasks).filter { active[$0.jobID] != nil }.map(\.variant))
            .union(record.submissions.filter { submission in
                // Pending array tasks may be listed as one `<array>_[0-3]` line.
                active.keys.contains { $0.hasPrefix(submission.arrayJobID + "_[") }
            }.flatMap { $0.tasks.map(\.variant) })
        let missing = plan.missingVariants.filter { !inFlight.contains($0) }
        outcome.pending = inFlight.filter { plan.missingVariants.contains($0) }.sorted()

        if missing.isEmpty {
            lock.release()
            lockHeld = false
            if outcome.pending.isEmpty {
                console.line("all \(combinations.count) variants are in the cache; nothing to submit")
                return try collect(request, options: options, plan: plan, record: record, scheduler: scheduler,
                                   chartWriter: chartWriter, outcome: outcome)
            }
            console.line("nothing to submit: \(outcome.pending.count) of \(combinations.count) variants are still queued or running")
        } else {
            let shared = plan.missingSharedStages
            console.line("submitting \(missing.count) of \(combinations.count) variants"
                + (shared.isEmpty ? "" : ", after a job computing the shared stages \(shared.joined(separator: ", "))")
                + (combinations.count > missing.count ? " (the others are cached or still queued or running)" : ""))
            let submission = try submit(request, missing: missing, sharedStages: shared, record: &record, recordURL: recordURL,
                                        logFolder: logFolder, scheduler: scheduler, store: store)
            if let job = submission.sharedJob {
                console.line("job \(job.jobID): shared stages \(job.stages.joined(separator: ", ")), log \(job.log)")
            }
            for task in submission.tasks {
                console.line("job \(task.jobID): variant \(task.variant + 1) \(record.variants[task.variant].joined(separator: " ")), log \(task.log)")
            }
            outcome.submitted = missing
            outcome.pending = (outcome.pending + missing).sorted()
            lock.release()
            lockHeld = false
        }
        guard request.wait else {
            console.line("follow the variants with `nbrun runs`; run this command again to collect the sweep report once the jobs are done")
            return outcome
        }
        try waitForJobs(record, scheduler: scheduler, interval: request.pollInterval)
        outcome.pending = []
        let final = try SlurmSweepPlan(manifests: manifests, runner: self, store: store)
        return try collect(request, options: options, plan: final, record: record, scheduler: scheduler,
                           chartWriter: chartWriter, outcome: outcome)
    }

    /// Writes the submission into the record before `sbatch` (a job may start at once and
    /// reads there what it computes: its variant, or the shared stages), submits, then
    /// records the job IDs. A job never depends on the second write, which may come after
    /// the job has read the record.
    private func submit(_ request: SlurmSweepRequest, missing: [Int], sharedStages: [String], record: inout SlurmSweepRecord,
                        recordURL: URL, logFolder: URL, scheduler: SlurmScheduler, store: ArtifactStore) throws(SweepFailure) -> SlurmSweepRecord.Submission {
        do { try SlurmLogFolder.prepare(logFolder) } catch { throw .storage(error) }
        if let prepare = request.prepareTasks {
            do { try prepare(logFolder) } catch {
                throw .storage(.cannotCreate(path: logFolder.path, reason: "the notebooks for the tasks: \(error)"))
            }
        }
        let index = record.submissions.count
        var submission = SlurmSweepRecord.Submission(
            submittedAt: Date(), nbrun: request.nbrun.path,
            sharedJob: sharedStages.isEmpty ? nil : SlurmSweepRecord.SharedJob(jobID: "", stages: sharedStages, variant: missing[0], log: ""),
            arrayJobID: "", sbatchArguments: [],
            tasks: missing.map { SlurmSweepRecord.Task(variant: $0, jobID: "", log: "") })
        record.submissions.append(submission)
        do { try record.save(to: recordURL) } catch { throw .storage(error) }
        let jobName = "nbrun-" + request.manifest.fileURL.deletingPathExtension().lastPathComponent
        do throws(SlurmError) {
            var dependency: String?
            if submission.sharedJob != nil {
                let arguments = SbatchCommand.sharedJobArguments(jobName: jobName + "-shared", logFolder: logFolder, settings: request.settings)
                let id = try scheduler.submit(arguments: arguments, script: SbatchCommand.script(
                    nbrun: request.nbrun.path, record: recordURL.path, submission: index, shared: true))
                submission.sharedJob?.jobID = id
                submission.sharedJob?.log = SbatchCommand.sharedLog(logFolder: logFolder, jobID: id)
                submission.sbatchArguments.append(arguments)
                dependency = id
            }
            let arguments = SbatchCommand.arrayArguments(jobName: jobName, logFolder: logFolder, taskCount: missing.count,
                                                         dependency: dependency, settings: request.settings)
            let arrayID = try scheduler.submit(arguments: arguments, script: SbatchCommand.script(
                nbrun: request.nbrun.path, record: recordURL.path, submission: index, shared: false))
            submission.arrayJobID = arrayID
            submission.sbatchArguments.append(arguments)
            for position in submission.tasks.indices {
                submission.tasks[position].jobID = "\(arrayID)_\(position)"
                submission.tasks[position].log = SbatchCommand.taskLog(logFolder: logFolder, arrayJobID: arrayID, index: position)
            }
        } catch {
            // Keep what was submitted (a shared job without its array) so that it can be found.
            if submission.sharedJob?.jobID.isEmpty ?? true { record.submissions.removeLast() } else { record.submissions[index] = submission }
            try? record.save(to: recordURL)
            throw .slurm(error)
        }
        record.submissions[index] = submission
        do { try record.save(to: recordURL) } catch { throw .storage(error) }
        return submission
    }

    /// Polls the queue until none of the record's jobs is pending or running. Ctrl-C stops
    /// waiting (the jobs go on; running the command again picks them up).
    private func waitForJobs(_ record: SlurmSweepRecord, scheduler: SlurmScheduler, interval: Double) throws(SweepFailure) {
        let ids = Set(record.submissions.flatMap { [$0.arrayJobID] + ($0.sharedJob.map { [$0.jobID] } ?? []) })
        var lastCount = -1
        while true {
            let active: [String: String]
            do { active = try scheduler.activeJobs() } catch { throw .slurm(error) }
            let ours = active.filter { entry in ids.contains(String(entry.key.prefix { $0 != "_" })) }
            if ours.isEmpty { return }
            if ours.count != lastCount {
                let running = ours.values.filter { $0 == "RUNNING" }.count
                console.line("waiting for \(ours.count) Slurm job\(ours.count == 1 ? "" : "s") (\(running) running)…")
                lastCount = ours.count
            }
            let deadline = Date().addingTimeInterval(interval)
            while Date() < deadline {
                if cancellation.isCancelled {
                    throw .slurm(.stoppedWaiting)
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }

    /// Reports every variant the cache still lacks with its job and log, or, when none is
    /// missing, writes the sweep report as a local sweep does, from the cached variants.
    private func collect(_ request: SlurmSweepRequest, options: RunOptions, plan: SlurmSweepPlan, record: SlurmSweepRecord,
                         scheduler: SlurmScheduler, chartWriter: SweepChartWriter?, outcome: SlurmSweepOutcome) throws(SweepFailure) -> SlurmSweepOutcome {
        var outcome = outcome
        var states: [String: [String: String]] = [:]
        for variant in plan.missingVariants {
            let overrides = record.variants[variant].joined(separator: " ")
            // A submission whose sbatch never returned (the submitting nbrun was killed) has no job IDs.
            guard let (task, submission) = record.latestTask(for: variant), !task.jobID.isEmpty else {
                outcome.failures.append(SlurmTaskFailure(variant: variant, overrides: overrides))
                continue
            }
            if let shared = submission.sharedJob, !shared.jobID.isEmpty {
                let sharedState = states[shared.jobID] ?? scheduler.jobStates(shared.jobID)
                states[shared.jobID] = sharedState
                if let state = sharedState[shared.jobID], state != "COMPLETED" {
                    outcome.failures.append(SlurmTaskFailure(variant: variant, overrides: overrides + "; its shared stages' job failed",
                                                             jobID: shared.jobID, state: state, log: shared.log))
                    continue
                }
            }
            let arrayStates = states[submission.arrayJobID] ?? scheduler.jobStates(submission.arrayJobID)
            states[submission.arrayJobID] = arrayStates
            outcome.failures.append(SlurmTaskFailure(variant: variant, overrides: overrides, jobID: task.jobID,
                                                     state: arrayStates[task.jobID], log: task.log))
        }
        if !outcome.failures.isEmpty {
            for failure in outcome.failures { console.line("nbrun: \(failure.description)") }
            console.line("\(outcome.failures.count) of \(record.variants.count) variants are missing; "
                + "run the command again to submit only those (no sweep report until every variant is cached)")
            outcome.exitCode = 1
            return outcome
        }
        let sweep = try self.sweep(request.manifest, grid: request.grid, metric: request.metric,
                                   options: options, chartWriter: chartWriter)
        outcome.sweep = sweep
        outcome.exitCode = sweep.exitCode
        return outcome
    }
}
