import AtomicFiles
import Foundation

/// Runs notebooks: loads manifests, plans against the cache, executes stages, commits
/// their artifacts atomically and writes the report. The CLI is a thin layer over this.
public final class Runner: @unchecked Sendable {
    public let registry: StageRegistry
    public let console: Console
    public let cancellation: CancellationFlag

    public init(registry: StageRegistry, console: Console = .standardOutput(), cancellation: CancellationFlag = CancellationFlag()) {
        self.registry = registry
        self.console = console
        self.cancellation = cancellation
    }

    public func loadManifest(_ url: URL, overrides: [ParameterOverride] = []) throws(RunError) -> Manifest {
        do { return try ManifestLoader(registry: registry).load(contentsOf: url, overrides: overrides) } catch {
            throw .manifest(error)
        }
    }

    func store(for manifest: Manifest, options: RunOptions) -> ArtifactStore {
        ArtifactStore(outputDirectory: manifest.outputDirectory(override: options.outputDirectory, currentDirectory: options.currentDirectory),
                      cacheDirectory: options.cacheDirectory)
    }

    func plans(_ manifest: Manifest, store: ArtifactStore) throws(RunError) -> [StagePlan] {
        do { return try Planner.plan(manifest, registry: registry, store: store) } catch { throw .storage(error) }
    }

    /// Refuses an output folder nbrun must never use (see ``OutputTargetCheck``) and stage
    /// names that collide with nbrun's own entries, before anything is written.
    func checkTarget(_ manifest: Manifest, store: ArtifactStore, options: RunOptions) throws(RunError) {
        do throws(StorageError) {
            if let reserved = manifest.stages.first(where: { OutputFolder.isReserved($0.name) }) {
                throw StorageError.reservedStageName(reserved.name)
            }
            let currentDirectory = options.currentDirectory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            try OutputTargetCheck.check(store.outputDirectory, manifestFolder: manifest.notebookDirectory,
                                        currentDirectory: currentDirectory)
        } catch { throw .storage(error) }
    }

    /// Claims the output folder for a run (creating and marking it, or refusing a foreign
    /// one before writing anything), checks nbrun's own entries in it, and takes the lock.
    func lockForRun(_ manifest: Manifest, store: ArtifactStore, options: RunOptions) throws(RunError) -> OutputLock {
        try checkTarget(manifest, store: store, options: options)
        let stageNames = Set(manifest.stages.map(\.name))
        let lock = try OutputLock.acquire(
            at: store.lockURL, wait: options.waitForLock, cancellation: cancellation,
            prepare: { () throws(RunError) -> Bool in
                do throws(StorageError) {
                    try store.folder.claim(stageNames: stageNames)
                    try store.folder.checkOwnEntries()
                } catch { throw .storage(error) }
                return true
            },
            onWait: { [console] pid in
                let holder = pid.map { " (pid \($0))" } ?? ""
                console.line("waiting for another nbrun on \(store.outputDirectory.path)\(holder)...")
            })
        // `prepare` never declines for a run, so a lock always comes back.
        return lock!
    }

    /// ``lockForRun(_:store:options:)``, then the cache's ``RunLock`` shared. That one is only
    /// tried under the output lock, never waited for: a `clean` or `gc` holding it waits for
    /// the output lock. When one has it, the output lock is let go, the run waits for the
    /// `clean` or `gc` to finish (or stops, under `--no-wait`), and starts over.
    /// `whileAlone` runs when no other process uses the cache, holding it exclusive.
    func lockForRunWithCache(_ manifest: Manifest, store: ArtifactStore, options: RunOptions,
                             whileAlone: () -> Void) throws(RunError) -> (OutputLock, RunLock) {
        let cache = store.cache.root.path
        var announced = false
        while true {
            let outputLock = try lockForRun(manifest, store: store, options: options)
            let busy: LockFile
            switch try RunLock.tryShared(cacheRoot: store.cache.root, whileAlone: whileAlone) {
            case .held(let runLock): return (outputLock, runLock)
            case .busy(let file): busy = file
            }
            outputLock.release()
            guard options.waitForLock else { throw .cacheBusy(path: cache, byCleanOrGC: true) }
            if !announced { console.line("waiting for another nbrun (clean, gc or a run repairing it) on the cache \(cache)...") }
            announced = true
            try busy.waitForLock(.shared, every: RunLock.pollInterval, cancellation: cancellation, interruptedPath: cache)
            busy.release()
        }
    }

    /// The cache's ``RunLock``, exclusive, for `clean` and `gc`: they wait for every run using
    /// the cache to end, and runs starting meanwhile wait for them. `proceed` is false when
    /// another `clean` removed the folder meanwhile. A cache that is not a real folder, or
    /// whose lock is not a real file (a planted link), gets no lock: no run can use it (runs
    /// refuse it by name), and `clean` still removes the rest.
    private func lockCacheExclusively(_ store: ArtifactStore, options: RunOptions, proceed: () throws(RunError) -> Bool)
        throws(RunError) -> (proceed: Bool, lock: RunLock?) {
        let cache = store.cache.root.path
        let kind = FileKind.of(cache)
        guard kind == .missing || kind.isDirectory else { return (true, nil) }
        do {
            return (true, try RunLock.acquire(
                cacheRoot: store.cache.root, exclusive: true, wait: options.waitForLock, cancellation: cancellation,
                onWait: { [console] in console.line("waiting for another nbrun using the cache \(cache) to finish...") }))
        } catch {
            // A link or FIFO planted at `locks` or `run.lock`: no run can take the lock either
            // (it refuses the cache by the same name), so there is none to wait for.
            if case .storage(.unexpectedEntry) = error { return (true, nil) }
            guard case .storage = error, try !proceed() else { throw error }
            return (false, nil)
        }
    }

    // MARK: - run

    public func run(_ manifest: Manifest, options: RunOptions = RunOptions()) throws(RunError) -> RunResult {
        let store = store(for: manifest, options: options)
        let names = manifest.stages.map(\.name)
        for selected in [options.onlyStage, options.fromStage].compactMap({ $0 }) where !names.contains(selected) {
            throw .unknownStage(selected, known: names)
        }
        if options.dryRun {
            let plans = try plans(manifest, store: store)
            let selection = Selection(manifest: manifest, options: options)
            var wouldRun: [(stage: String, reason: String)] = []
            for plan in plans where selection.scope.contains(plan.stage.name) {
                if let reason = selection.forcedReason(plan.stage.name) {
                    wouldRun.append((plan.stage.name, reason))
                } else if !plan.freshness.isFresh {
                    wouldRun.append((plan.stage.name, plan.freshness.summary))
                }
            }
            for plan in plans {
                if let entry = wouldRun.first(where: { $0.stage == plan.stage.name }) {
                    console.line("would run \(plan.stage.name): \(entry.reason)")
                } else {
                    console.line("skip \(plan.stage.name): \(plan.freshness.isFresh ? "fresh" : "not selected (\(plan.freshness.summary))")")
                }
            }
            return RunResult(outputDirectory: store.outputDirectory, reportURL: nil, plans: plans, outcomes: [:],
                             executed: [], wouldRun: wouldRun, exitCode: 0)
        }
        let (outputLock, runLock) = try lockForRunWithCache(manifest, store: store, options: options) { [console] in
            // No other process uses the cache: what killed ones left mid-commit can go (once its
            // folders are known to be real folders; a run refuses them otherwise, just after).
            guard (try? store.cache.checkFolders(stages: names)) != nil else { return }
            for path in store.cache.removeAbandonedTemporaries(stages: names) {
                console.line("nbrun: cleaned up after an earlier run: removed \(path)")
            }
        }
        defer { outputLock.release() }
        // Held to the very end: `clean` and `gc` wait for it (see ``RunLock``).
        defer { runLock.release() }
        // Ctrl-C that arrived as the lock was granted: stop before changing anything.
        if cancellation.isCancelled { throw .interrupted(path: store.outputDirectory.path) }
        // Before anything in the cache is swept up or read: its folders must be real folders.
        do { try store.cache.checkFolders(stages: names) } catch { throw .storage(error) }
        for action in store.recoverInterruptedCommits(stages: Set(names)) {
            console.line("nbrun: cleaned up after an earlier run: \(action)")
        }
        for path in store.folder.removeStaleTemporaryFiles() {
            console.line("nbrun: cleaned up after an earlier run: removed \(path)")
        }
        do {
            for line in try LayoutMigration.migrateIfNeeded(store, stages: names) { console.line(line) }
        } catch { throw .storage(error) }
        for name in names {
            do { try store.checkReplaceable(name) } catch { throw .storage(error) }
        }
        let plans = try plans(manifest, store: store)
        let session = RunSession(runner: self, manifest: manifest, store: store, plans: plans, options: options)
        session.adoptResultsOnlyTheViewHas()
        // Stages are computed without the output lock, each under its variant's lock, so that
        // processes computing other variants of this notebook proceed at the same time.
        outputLock.release()
        session.execute()
        // Held only to swap the views in and write the report; waited for even under
        // --no-wait, because the results are computed by now and holders keep it briefly.
        var relock = options
        relock.waitForLock = true
        let viewLock = try lockForRun(manifest, store: store, options: relock)
        defer { viewLock.release() }
        session.showResults()
        store.removeEmptyWorkFolders()
        var result = RunResult(outputDirectory: store.outputDirectory, reportURL: nil, plans: plans, outcomes: session.outcomes,
                               executed: session.executed, wouldRun: [], exitCode: session.exitCode)
        let cached = plans.map(\.stage.name).filter { if case .cached = session.outcomes[$0] { true } else { false } }
        if !cached.isEmpty { console.line("cached: \(cached.joined(separator: ", "))") }
        do {
            let files = try ReportWriter(manifest: manifest, registry: registry)
                .write(plans: plans, outcomes: session.outcomes, to: store.outputDirectory)
            for note in files.notes { console.line("nbrun: \(note)") }
            result.reportURL = files.markdown
            console.line("report: \(files.markdown.path)" + (files.html.map { ", \($0.path)" } ?? ""))
        } catch {
            console.line("nbrun: \(error.description)")
            if result.exitCode == 0 { result.exitCode = 1 }
        }
        return result
    }

    // MARK: - status, why, clean, runs

    /// The cached variants of the notebook's stages (`nbrun runs`), read without the lock:
    /// variants appear and disappear by whole-folder renames, so each is read whole or not at all.
    public func variants(_ manifest: Manifest, options: RunOptions = RunOptions()) throws(RunError) -> VariantTable {
        let store = store(for: manifest, options: options)
        try checkTarget(manifest, store: store, options: options)
        return VariantTable.collect(stages: manifest.stages.map(\.name), store: store)
    }

    /// Each stage's cache state, without taking the lock or running anything.
    public func status(_ manifest: Manifest, options: RunOptions = RunOptions()) throws(RunError) -> [StagePlan] {
        try plans(manifest, store: store(for: manifest, options: options))
    }

    /// Why `stage` would rerun: which fingerprint component changed and what the cached run cost.
    public func why(_ manifest: Manifest, stage name: String, options: RunOptions = RunOptions()) throws(RunError) -> String {
        let plans = try status(manifest, options: options)
        guard let plan = plans.first(where: { $0.stage.name == name }) else {
            throw .unknownStage(name, known: plans.map(\.stage.name))
        }
        var lines = ["\(name) (\(plan.stage.kind)): \(plan.freshness.isFresh ? "fresh" : "would rerun")"]
        switch plan.freshness {
        case .fresh:
            lines.append("  nothing changed since its cached run")
        case .neverRun(let reason):
            lines.append("  never run" + (reason.isEmpty ? "" : ": \(reason)"))
        case .stale(_, let reasons):
            for change in plan.changes {
                var line = "  - \(change.description)"
                if case .upstream(let upstream) = change, let upstreamPlan = plans.first(where: { $0.stage.name == upstream }),
                   case .stale(_, let upstreamReasons) = upstreamPlan.freshness {
                    line += " (\(upstream): \(upstreamReasons.joined(separator: "; ")))"
                }
                lines.append(line)
            }
            for reason in reasons.dropFirst(plan.changes.count) { lines.append("  - \(reason)") }
        }
        if let record = plan.freshness.record {
            lines.append("  cached run: \(ReportWriter.isoDate(record.startedAt)), took \(ReportWriter.formatDuration(record.durationSeconds)), peak memory \(ReportWriter.formatBytes(record.peakMemoryBytes))")
        }
        return lines.joined(separator: "\n")
    }

    /// Removes what nbrun wrote in the notebook's output folder, under the cache's run lock
    /// and the output lock (so never while a run is using either), and leaves
    /// (and lists) everything else; see ``OutputCleaner``. Nil when there was nothing of
    /// nbrun's to remove (no folder, or an empty unmarked one). A folder nbrun did not mark
    /// is refused, unless it holds only what nbrun writes (an output from before the marker).
    @discardableResult
    public func clean(_ manifest: Manifest, options: RunOptions = RunOptions()) throws(RunError) -> CleanReport? {
        let store = store(for: manifest, options: options)
        try checkTarget(manifest, store: store, options: options)
        let stageNames = manifest.stages.map(\.name)
        let folder = store.folder
        /// Re-checked before each attempt at the lock and once it is held: a clean or run
        /// that held it meanwhile may have removed or replaced the folder.
        func proceed() throws(RunError) -> Bool {
            switch folder.state(stageNames: Set(stageNames)) {
            case .missing, .empty: return false
            case .owned, .unmarkedNBRunOutput: return true
            case .foreign(let entries): throw .storage(.foreignOutputFolder(path: folder.url.path, entries: entries))
            case .notAFolder(let kind):
                throw .storage(.unexpectedEntry(path: folder.url.path, kind: kind.description, expected: "the output folder"))
            }
        }
        guard try proceed() else { return nil }
        let (proceeding, runLock) = try lockCacheExclusively(store, options: options, proceed: proceed)
        defer { runLock?.release() }
        guard proceeding else { return nil }
        guard let outputLock = try OutputLock.acquire(
            at: store.lockURL, wait: options.waitForLock, cancellation: cancellation, prepare: proceed,
            onWait: { [console] pid in
                let holder = pid.map { " (pid \($0))" } ?? ""
                console.line("waiting for another nbrun on \(store.outputDirectory.path)\(holder)...")
            }) else { return nil }
        defer { outputLock.release() }
        do { return try OutputCleaner(store: store, stageNames: stageNames).clean() } catch { throw .storage(error) }
    }

    /// Removes cached variants by `policy` (`nbrun gc`), under the cache's run lock and the
    /// output lock (so never while a run might read one), never those the output
    /// folder shows; see ``GarbageCollector``. Nil when there is no output folder of nbrun's.
    public func collectGarbage(_ manifest: Manifest, policy: GCPolicy, options: RunOptions = RunOptions()) throws(RunError) -> GCReport? {
        let store = store(for: manifest, options: options)
        try checkTarget(manifest, store: store, options: options)
        let stageNames = manifest.stages.map(\.name)
        func proceed() throws(RunError) -> Bool {
            switch store.folder.state(stageNames: Set(stageNames)) {
            case .missing, .empty: return false
            case .owned: return true
            case .unmarkedNBRunOutput: return false  // nothing cached yet: a run migrates it first
            case .foreign(let entries): throw .storage(.foreignOutputFolder(path: store.outputDirectory.path, entries: entries))
            case .notAFolder(let kind):
                throw .storage(.unexpectedEntry(path: store.outputDirectory.path, kind: kind.description, expected: "the output folder"))
            }
        }
        guard try proceed() else { return nil }
        let (proceeding, runLock) = try lockCacheExclusively(store, options: options, proceed: proceed)
        defer { runLock?.release() }
        guard proceeding else { return nil }
        guard let lock = try OutputLock.acquire(
            at: store.lockURL, wait: options.waitForLock, cancellation: cancellation, prepare: proceed,
            onWait: { [console] pid in
                console.line("waiting for another nbrun on \(store.outputDirectory.path)\(pid.map { " (pid \($0))" } ?? "")...")
            }) else { return nil }
        defer { lock.release() }
        do {
            try store.folder.checkOwnEntries()
            try store.cache.checkFolders(stages: stageNames)
            store.cache.removeAbandonedTemporaries(stages: stageNames)
            return try GarbageCollector(store: store, stages: stageNames).collect(policy)
        } catch { throw .storage(error) }
    }

    /// What `status` adds below the stages: an output folder a run would refuse, and commits
    /// a killed run left half done, which the next run completes (the stages' states shown
    /// are what that run will find).
    public func statusNotes(_ manifest: Manifest, options: RunOptions = RunOptions()) -> [String] {
        let store = store(for: manifest, options: options)
        switch store.folder.state(stageNames: Set(manifest.stages.map(\.name))) {
        case .foreign(let entries):
            return [StorageError.foreignOutputFolder(path: store.outputDirectory.path, entries: entries).description]
        case .notAFolder(let kind):
            return [StorageError.unexpectedEntry(path: store.outputDirectory.path, kind: kind.description, expected: "the output folder").description]
        default:
            break
        }
        var notes: [String] = []
        if store.folder.layoutFormat() == OutputFolder.legacyLayoutFormat
            || store.folder.state(stageNames: Set(manifest.stages.map(\.name))) == .unmarkedNBRunOutput {
            notes.append("\(store.outputDirectory.path) was written by an earlier nbrun (one result per stage); "
                + "the next run keeps its intact results in the variant cache")
        }
        return notes + manifest.stages.compactMap { stage in
            guard !FileKind.of(store.stageDirectory(stage.name).path).exists,
                  let pending = store.pendingRestore(stage.name) else { return nil }
            return "\(stage.name): the next run restores \(pending.path) (a commit interrupted by a crash)"
        }
    }
}

/// Why a run reruns a stage regardless of its cache.
enum ForceCause: Equatable {
    /// `--stage NAME`: the one stage asked for.
    case selectedByStage
    /// `--from NAME`: the stage or one downstream of it.
    case selectedByFrom(String)
    /// `--force`: the cache and any resumable state are ignored.
    case forceFlag

    var description: String {
        switch self {
        case .selectedByStage: return "selected by --stage"
        case .selectedByFrom(let from): return "selected by --from \(from)"
        case .forceFlag: return "--force"
        }
    }

    /// Only `--force` means "start over": a stage merely selected may resume its checkpoints.
    var discardsResumableState: Bool { self == .forceFlag }
}

/// Which stages a run considers, and which it reruns regardless of the cache.
struct Selection {
    var scope: Set<String>
    var forced: Set<String>
    private var cause: ForceCause

    init(manifest: Manifest, options: RunOptions) {
        let stages = manifest.stages
        let names = stages.map(\.name)
        func upstreamClosure(of targets: Set<String>) -> Set<String> {
            var result = targets
            for stage in stages.reversed() where result.contains(stage.name) {
                result.formUnion(stage.reads)
            }
            return result
        }
        if let only = options.onlyStage {
            forced = [only]
            scope = upstreamClosure(of: forced)
            cause = .selectedByStage
        } else if let from = options.fromStage {
            var downstream: Set<String> = [from]
            for stage in stages where stage.reads.contains(where: downstream.contains) {
                downstream.insert(stage.name)
            }
            forced = downstream
            scope = upstreamClosure(of: downstream)
            cause = .selectedByFrom(from)
        } else {
            scope = Set(names)
            forced = options.force ? scope : []
            cause = .forceFlag
        }
        if options.force && (options.onlyStage != nil || options.fromStage != nil) {
            forced = scope
            cause = .forceFlag
        }
    }

    /// Why `stage` is rerun regardless of the cache, or nil when the cache decides.
    func forceCause(_ stage: String) -> ForceCause? {
        forced.contains(stage) ? cause : nil
    }

    func forcedReason(_ stage: String) -> String? {
        forceCause(stage)?.description
    }

    /// True when the run names particular stages (--stage, --from) rather than all of them.
    var isTargeted: Bool { cause != .forceFlag && !forced.isEmpty }
}
