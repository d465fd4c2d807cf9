import Foundation

/// One run's mutable state: walks the stages in manifest order, runs what is selected
/// and not fresh, verifies cached inputs before they are read, and records outcomes.
///
/// Stages are computed into the variant cache without the output lock, each under its own
/// ``FingerprintLock``, and read their inputs from the cached variants, never from the
/// output folder's view, which another process may swap at any moment. ``showResults()``
/// then makes the view show this run's variants, under the output lock.
final class RunSession {
    let runner: Runner
    let manifest: Manifest
    let store: ArtifactStore
    /// In manifest order.
    let decisions: [StageDecision]
    let options: RunOptions

    private(set) var outcomes: [String: StageOutcome] = [:]
    private(set) var executed: [String] = []
    private(set) var exitCode: Int32 = 0
    /// Stages whose artifacts were verified (or produced) in this run.
    private var verifiedStages: Set<String> = []
    private var reportedDamage: Set<String> = []
    private var stopReason: String?
    /// Why a fresh result only the output folder had could not be cached (by stage): such a
    /// stage is recomputed. Every other fresh stage's variant is in the cache, where
    /// downstream stages read it; ``showResults()`` brings the view in line.
    private var adoptionProblems: [String: String] = [:]

    var console: Console { runner.console }

    init(runner: Runner, manifest: Manifest, store: ArtifactStore, decisions: [StageDecision], options: RunOptions) {
        self.runner = runner
        self.manifest = manifest
        self.store = store
        self.decisions = decisions
        self.options = options
    }

    /// Carries out each stage's ``StageDecision``, in manifest order. What the decision could
    /// not know is found here: an upstream stage that failed, a stop after a failure or
    /// Ctrl-C, or a cached result that can no longer be shown (which a selected stage then
    /// recomputes).
    func execute() {
        for decision in decisions {
            let name = decision.stage.name
            let previous = decision.freshness.record
            switch decision.action {
            case .fail(let error):
                // Not a stop: the other stages still show their last results.
                fail(name, error: error, output: "", previous: previous, stopsTheRun: false)
                continue
            case .leave(let reason):
                outcomes[name] = .notRun(reason: reason, previous: previous)
                continue
            case .useCache, .adopt, .run, .runForced:
                break
            }
            if let stopReason {
                outcomes[name] = .notRun(reason: stopReason, previous: previous)
                continue
            }
            if decision.isSelected, let blocker = decision.stage.reads.first(where: { outcomes[$0]?.completed != true }) {
                outcomes[name] = .notRun(reason: "upstream stage \(blocker) did not complete", previous: previous)
                continue
            }
            switch decision.action {
            case .useCache(let record), .adopt(let record):
                useCached(record, decision: decision)
            case .run(let reason, let isPrerequisite):
                if isPrerequisite { console.line("computing \(name) first: \(reason)") }
                run(decision.plan, reason: reason)
            case .runForced(let cause):
                run(decision.plan, reason: cause.description, discardResumableState: cause.discardsResumableState, mayReuse: false)
            case .leave, .fail:
                break
            }
        }
    }

    /// Shows a cached result, unless it could not be adopted or is damaged since it was
    /// planned: then a selected stage is recomputed and any other is left, saying why.
    private func useCached(_ record: StageRecord, decision: StageDecision) {
        let name = decision.stage.name
        let problem: (reason: String, damaged: StageRecord?)?
        if let adoption = adoptionProblems[name] {
            problem = (adoption, nil)
        } else if let damage = damageBeforeRestoring(record) {
            console.line("nbrun: \(damage.description); " + (decision.isSelected ? "recomputing stage \(name)"
                                                                              : "not restoring \(name), which this run does not compute"))
            problem = (decision.isSelected ? "its cached artifact was damaged" : "its cached variant is damaged: \(damage.description)",
                       record)
        } else {
            problem = nil
        }
        guard let problem else {
            outcomes[name] = .cached(record)
            return
        }
        if decision.isSelected {
            run(decision.plan, reason: problem.reason, damaged: problem.damaged)
        } else {
            outcomes[name] = .notRun(reason: "not selected (\(problem.reason))", previous: record)
        }
    }

    /// Adds each fresh result only the output folder has (a migrated folder's) to the variant
    /// cache, where downstream stages read it, once its hashes check out. Call under the
    /// output lock: the stage folders are read and relinked here, and another process may
    /// swap them as soon as the lock is let go.
    func adoptResultsOnlyTheViewHas() {
        for decision in decisions {
            guard case .adopt(let record) = decision.action else { continue }
            let name = decision.stage.name
            if let damage = store.verify(record) {
                adoptionProblems[name] = damage.description
                continue
            }
            // Not waited for under the output lock: a process computing this very variant now
            // commits it shortly, and the stage then waits for it and reuses it.
            let variantLock: FingerprintLock?
            do {
                variantLock = try FingerprintLock.acquire(cacheRoot: store.cache.root, stage: name, fingerprint: record.fingerprint,
                                                          wait: false, cancellation: nil, onWait: {})
            } catch {
                adoptionProblems[name] = "its result could not be added to the cache: \(error.description)"
                continue
            }
            guard let variantLock else {
                adoptionProblems[name] = "another nbrun is computing its variant"
                continue
            }
            defer { variantLock.release() }
            do { try store.cache.store(from: store.stageDirectory(name), record: record) } catch {
                adoptionProblems[name] = "its result could not be added to the cache: \(error.description)"
                continue
            }
            verifiedStages.insert(name)
        }
    }

    /// Makes each stage folder show the variant this run computed or found (hard links from
    /// the cache, swapped in atomically), so that the view and `report.md` match this run.
    /// Call while holding the output lock. A view that cannot be updated fails the run.
    func showResults() {
        for name in decisions.map(\.stage.name) {
            guard let outcome = outcomes[name], let record = outcome.usableRecord else { continue }
            // A stage computed now replaces whatever the folder shows, even a record of the same
            // fingerprint: that one may be the damaged result this run recomputed.
            let recordName = ArtifactStore.recordFileName
            let linked = FileLinking.sameFile(store.stageDirectory(name).appendingPathComponent(recordName).path,
                                              variantFolder(record).appendingPathComponent(recordName).path)
            let computedNow = if case .ranNow = outcome { true } else { false }
            guard computedNow ? !linked : store.viewDifference(record) != nil else { continue }
            do { try store.restore(record) } catch {
                console.line("nbrun: \(name): its result is cached but \(store.stageDirectory(name).path) could not show it: \(error.description)")
                if exitCode == 0 { exitCode = 1 }
                continue
            }
            if case .cached = outcomes[name] {
                console.line("↺ \(name): restored from the cache (the variant computed \(ReportFormat.isoDate(record.startedAt)))")
            }
        }
    }

    /// What is wrong with a cached variant that ``showResults()`` would link into a view not
    /// showing it yet (nil when the view shows it, or its bytes match its record). Restoring
    /// is rare and reads only that variant, so it is hashed: sizes alone would let an object
    /// edited in place through another output folder's view reach this one.
    private func damageBeforeRestoring(_ record: StageRecord) -> StorageError? {
        guard !verifiedStages.contains(record.stage), store.viewDifference(record) != nil else { return nil }
        if let damage = store.verify(record, in: variantFolder(record)) { return damage }
        verifiedStages.insert(record.stage)
        return nil
    }

    /// Where `stage`'s variant of `record` is kept: what a stage reading it opens.
    private func variantFolder(_ record: StageRecord) -> URL {
        store.cache.variantFolder(record.stage, fingerprint: record.fingerprint)
    }

    /// Verifies the cached artifacts of every stage `plan` reads from, recomputing a
    /// producer whose artifacts are damaged. False when an input cannot be made good.
    private func prepareInputs(of plan: StagePlan) -> Bool {
        for upstream in plan.stage.reads {
            if verifiedStages.contains(upstream) { continue }
            guard let record = outcomes[upstream]?.usableRecord else { return false }
            if let damage = store.verify(record, in: variantFolder(record)) {
                if reportedDamage.insert(upstream).inserted {
                    console.line("nbrun: \(damage.description); recomputing stage \(upstream)")
                }
                guard let producer = decisions.first(where: { $0.stage.name == upstream }) else { return false }
                guard run(producer.plan, reason: "its cached artifact was damaged", damaged: record) else { return false }
            }
            verifiedStages.insert(upstream)
        }
        return true
    }

    /// Runs one stage and commits its outputs. False when it failed or was interrupted.
    /// `discardResumableState` (for `--force`) empties the stage's resume folder first, so a
    /// forced stage starts over instead of continuing from a checkpoint of an earlier attempt.
    /// `mayReuse` is false for a stage the user asked to rerun: it is computed even when another
    /// process committed its variant meanwhile.
    /// `damaged` is the variant found damaged that this run replaces: it is discarded only once
    /// the variant's lock is held and it is still damaged, since another process may be
    /// replacing it at that moment (its folder briefly missing) or may have done so already.
    @discardableResult
    private func run(_ plan: StagePlan, reason: String, discardResumableState: Bool = false, mayReuse: Bool = true,
                     damaged: StageRecord? = nil) -> Bool {
        let name = plan.stage.name
        let previous = plan.freshness.record
        guard prepareInputs(of: plan) else {
            outcomes[name] = .notRun(reason: "an upstream stage could not be recomputed", previous: previous)
            return false
        }
        guard let entry = runner.registry[plan.stage.kind], let variantLock = lockVariant(of: plan) else { return false }
        defer { variantLock.release() }
        if let damaged, store.verify(damaged, in: variantFolder(damaged)) != nil {
            store.cache.discardDamaged(damaged, viewFolder: store.stageDirectory(name))
        }
        // The planner looked the variant up before the lock was held; a process that held it
        // meanwhile may have committed the variant since.
        if mayReuse, case .present(let record) = store.cache.loadVariant(name, fingerprint: plan.fingerprint),
           store.quickCheck(record, in: variantFolder(record)) == nil, damageBeforeRestoring(record) == nil {
            console.line("↺ \(name): reused the variant another nbrun computed (\(plan.fingerprint.prefix(12)))")
            outcomes[name] = .cached(record)
            return true
        }
        executed.append(name)
        console.line("▶ \(name) (\(plan.stage.kind)): \(reason)")
        do throws(StorageError) {
            if discardResumableState { try store.removeResumableState(name, fingerprint: plan.fingerprint) }
            if let crash = options.crashedStages[RunOptions.crashKey(stage: name, fingerprint: plan.fingerprint)] {
                fail(name, error: crash, output: "", previous: previous)
                return false
            }
            let staging = try store.makeStagingDirectory(name)
            defer { try? NoFollowRemoval.removeTree(atPath: staging.path) }
            return compute(plan, stageType: entry.stageType, in: staging)
        } catch {
            fail(name, error: error.description, output: "", previous: previous)
            return false
        }
    }

    /// The variant's ``FingerprintLock``: one process computes a variant at a time. Nil, with
    /// the stage's outcome recorded, when it is not to be had (`--no-wait`, Ctrl-C).
    private func lockVariant(of plan: StagePlan) -> FingerprintLock? {
        let name = plan.stage.name
        do throws(RunError) {
            guard let lock = try FingerprintLock.acquire(
                cacheRoot: store.cache.root, stage: name, fingerprint: plan.fingerprint, wait: options.waitForLock,
                cancellation: runner.cancellation,
                onWait: { [console] in console.line("waiting for another nbrun computing \(name) (\(plan.fingerprint.prefix(12)))…") }
            ) else { throw .variantLocked(stage: name, fingerprint: plan.fingerprint) }
            return lock
        } catch {
            if case .interrupted = error {
                console.line("✗ \(name) interrupted while waiting for another nbrun computing it; its previous result (if any) is kept")
                interrupt(name, output: "", previous: plan.freshness.record)
            } else {
                fail(name, error: error.description, output: "", previous: plan.freshness.record)
            }
            return nil
        }
    }

    /// Runs the stage's code into `staging` and commits what it wrote to the cache.
    private func compute(_ plan: StagePlan, stageType: any Stage.Type, in staging: URL) -> Bool {
        let name = plan.stage.name
        let previous = plan.freshness.record
        let upstream = plan.stage.reads.compactMap { read -> StageContext.Upstream? in
            outcomes[read]?.usableRecord.map {
                StageContext.Upstream(stage: read, directory: variantFolder($0), artifactNames: Set($0.artifacts.map(\.name)))
            }
        }
        let context = StageContext(
            stageName: name, notebookDirectory: manifest.notebookDirectory,
            parameters: StageParameters(plan.stage.parameters, baseDirectory: manifest.notebookDirectory),
            threadCount: max(1, options.threadCount), stagingDirectory: staging,
            resumeDirectory: store.resumeDirectory(name, fingerprint: plan.fingerprint), upstream: upstream,
            console: console, cancellation: runner.cancellation)
        context.fingerprint = plan.fingerprint

        let sampler = PeakMemorySampler()
        sampler.start()
        let startedAt = Date()
        let clock = ContinuousClock.now
        var thrown: (any Error)?
        options.stageStarting?(name, plan.fingerprint)
        do {
            let stage = stageType.init()
            stage.bindParameters(context.parameters)
            try stage.run(context)
        } catch { thrown = error }
        let elapsed = ContinuousClock.now - clock
        let peak = sampler.stop()
        let duration = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18

        if runner.cancellation.isCancelled {
            console.tidy()
            console.line("✗ \(name) interrupted; its previous result (if any) is kept")
            interrupt(name, output: context.printedOutput, previous: previous)
            return false
        }
        do {
            if let thrown { throw thrown }
            let artifacts = try Self.collectArtifacts(in: staging)
            for figure in context.figures where !artifacts.contains(where: { $0.name == figure.name }) {
                throw StorageError.noSuchArtifact(name: figure.name, searched: [name])
            }
            let record = StageRecord(
                stage: name, kind: plan.stage.kind, fingerprint: plan.fingerprint, components: plan.components,
                parameters: plan.stage.parameters.mapValues(\.description), artifacts: artifacts,
                figures: context.figures, output: context.printedOutput, startedAt: startedAt,
                durationSeconds: duration, peakMemoryBytes: peak,
                metrics: context.metrics.isEmpty ? nil : context.metrics)
            try store.commitToCache(staging: staging, record: record, writer: runner.fileWriter)
            try? store.removeResumableState(name, fingerprint: plan.fingerprint)
            outcomes[name] = .ranNow(record)
            verifiedStages.insert(name)
            console.line("✓ \(name) in \(ReportFormat.duration(duration))")
            return true
        } catch {
            fail(name, error: Self.describe(error), output: context.printedOutput, previous: previous)
            return false
        }
    }

    /// A failure stops the run unless `--keep-going`, or `stopsTheRun` is false.
    private func fail(_ name: String, error: String, output: String, previous: StageRecord?,
                      stopsTheRun: Bool = true) {
        console.line("✗ \(name) failed: \(error)")
        outcomes[name] = .failed(error: error, output: output, previous: previous)
        exitCode = exitCode == 130 ? 130 : 1
        if stopsTheRun && !options.keepGoing { stopReason = "the run stopped after stage \(name) failed" }
    }

    private func interrupt(_ name: String, output: String, previous: StageRecord?) {
        outcomes[name] = .interrupted(output: output, previous: previous)
        stopReason = "the run was interrupted"
        exitCode = 130
    }

    static func describe(_ error: any Error) -> String {
        if error is CancellationError { return "cancelled" }
        if let localized = error as? any LocalizedError, let text = localized.errorDescription { return text }
        return String(describing: error)  // uses `description` when the error provides one
    }

    static func collectArtifacts(in staging: URL) throws -> [StageRecord.Artifact] {
        let names = try FileManager.default.contentsOfDirectory(atPath: staging.path).sorted()
        var artifacts: [StageRecord.Artifact] = []
        for name in names where !name.hasPrefix(".") && name != ArtifactStore.recordFileName {
            let url = staging.appendingPathComponent(name)
            // A stage writes plain files; a folder, link or pipe it made is refused by name.
            let kind = FileKind.of(url.path)
            guard !kind.isDirectory else { throw StorageError.invalidArtifactName(name + "/") }
            guard case .regular(let size) = kind else { throw StorageError.notARegularFile(path: url.path, kind: kind.description) }
            artifacts.append(StageRecord.Artifact(name: name, sha256: try ContentHash.ofFile(at: url), size: size))
        }
        return artifacts
    }
}
