import AtomicFiles
import Foundation

/// Runs notebooks: loads manifests, plans against the cache, executes stages, commits
/// their artifacts atomically and writes the report. The CLI is a thin layer over this.
public final class Runner: @unchecked Sendable {
    public let registry: StageRegistry
    public let console: Console
    public let cancellation: CancellationFlag
    /// Writes each stage's commit (see ``FileWriting``).
    public let fileWriter: any FileWriting

    public init(registry: StageRegistry, console: Console = .standardOutput(), cancellation: CancellationFlag = CancellationFlag(),
                fileWriter: any FileWriting = AtomicFileWriter()) {
        self.registry = registry
        self.console = console
        self.cancellation = cancellation
        self.fileWriter = fileWriter
    }

    public func loadManifest(_ url: URL, overrides: [ParameterOverride] = []) throws(RunError) -> Manifest {
        do { return try ManifestLoader(registry: registry).load(contentsOf: url, overrides: overrides) } catch {
            throw .manifest(error)
        }
    }

    /// `manifest` with `overrides` applied on top of those it was loaded with.
    public func variant(of manifest: Manifest, overrides: [ParameterOverride]) throws(RunError) -> Manifest {
        do { return try ManifestLoader(registry: registry).applying(overrides, to: manifest) } catch { throw .manifest(error) }
    }

    package func plans(_ manifest: Manifest, store: ArtifactStore) throws(RunError) -> [StagePlan] {
        do { return try Planner.plan(manifest, registry: registry, store: store) } catch { throw .storage(error) }
    }

    /// The one place a run, a dry run, `status` and `why` learn what happens to each stage.
    func decisions(_ manifest: Manifest, store: ArtifactStore, options: RunOptions) throws(RunError) -> [StageDecision] {
        StageDecision.decide(try plans(manifest, store: store), manifest: manifest, options: options)
    }

    /// What run, `clean` and `gc` say while another nbrun holds the output folder's lock.
    func waitingForOutputLock(_ store: ArtifactStore) -> (Int32?) -> Void {
        { [console] pid in
            console.line("waiting for another nbrun on \(store.outputDirectory.path)\(pid.map { " (pid \($0))" } ?? "")...")
        }
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
    /// The folder is created before the lock is taken (the lock file lives in it) and marked
    /// only under the lock (see ``OutputFolder/prepareClaim(stageNames:)``).
    package func lockForRun(_ manifest: Manifest, store: ArtifactStore, options: RunOptions) throws(RunError) -> OutputLock {
        try checkTarget(manifest, store: store, options: options)
        let stageNames = Set(manifest.stages.map(\.name))
        var created = false
        let lock = try OutputLock.acquire(
            at: store.lockURL, wait: options.waitForLock, cancellation: cancellation,
            prepare: { () throws(RunError) -> Bool in
                do throws(StorageError) {
                    if try store.folder.prepareClaim(stageNames: stageNames) { created = true }
                    try store.folder.checkOwnEntries()
                } catch { throw .storage(error) }
                return true
            },
            whenLocked: { () throws(RunError) in
                do throws(StorageError) { try store.folder.mark(stageNames: stageNames, createdFolder: created) } catch { throw .storage(error) }
            },
            onWait: waitingForOutputLock(store))
        // `prepare` never declines for a run, so a lock always comes back.
        return lock!
    }

    /// ``lockForRun(_:store:options:)``, then the cache's ``RunLock`` shared. That one is only
    /// tried under the output lock, never waited for: a `clean` or `gc` holding it waits for
    /// the output lock. When one has it, the output lock is let go, the run waits for the
    /// `clean` or `gc` to finish (or stops, under `--no-wait`), and starts over.
    /// `whileAlone` runs when no other process uses the cache, holding it exclusive.
    ///
    /// With `--cache` elsewhere, the run lock in `<output>/.running` is held shared too (the
    /// third lock returned): `clean` removes the whole output folder, so it takes that one as
    /// well as its cache's, and waits for a run on the folder whichever `--cache` it names.
    func lockForRunWithCache(_ manifest: Manifest, store: ArtifactStore, options: RunOptions,
                             whileAlone: () -> Void) throws(RunError) -> (OutputLock, RunLock, RunLock?) {
        let cache = store.cache.root.path
        var announced = false
        while true {
            let outputLock = try lockForRun(manifest, store: store, options: options)
            let busy: LockFile
            let attempt: RunLock.SharedAttempt
            do { attempt = try RunLock.tryShared(cacheRoot: store.cache.root, whileAlone: whileAlone) } catch {
                // A cache that cannot be locked (read-only, a link at gate.lock): the run stops
                // here, and a folder holding only what claiming it left goes again (the folder
                // too, if nbrun created it). A run past this point on the folder has written
                // more there, and one waiting for the output lock claims afresh.
                store.folder.removeIfOnlyClaimed(created: store.folder.createdFolder())
                outputLock.release()
                throw error
            }
            switch attempt {
            case .held(let runLock):
                if store.usesOwnCache { return (outputLock, runLock, nil) }
                switch try RunLock.tryShared(cacheRoot: store.runningLockRoot, whileAlone: {}) {
                case .held(let folderLock): return (outputLock, runLock, folderLock)
                case .busy(let file):
                    runLock.release()
                    busy = file
                }
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
                onWait: { [console] in
                    console.line(store.cache.root.lastPathComponent == OutputFolder.runningName
                        ? "waiting for another nbrun on \(store.outputDirectory.path) to finish..."
                        : "waiting for another nbrun using the cache \(cache) to finish...")
                }))
        } catch {
            // A link or FIFO planted at `locks`, `gate.lock` or `run.lock`: no run can take the lock either
            // (it refuses the cache by the same name), so there is none to wait for.
            if case .storage(.unexpectedEntry) = error { return (true, nil) }
            guard case .storage = error, try !proceed() else { throw error }
            return (false, nil)
        }
    }

    // MARK: - run

    public func run(_ manifest: Manifest, options: RunOptions = RunOptions()) throws(RunError) -> RunResult {
        let store = ArtifactStore(for: manifest, options: options)
        let names = manifest.stages.map(\.name)
        // A limit naming a stage this notebook lacks would quietly compute less than asked.
        let limit = options.limitToStages.map { $0.sorted() } ?? []
        for selected in [options.onlyStage, options.fromStage].compactMap({ $0 }) + limit where !names.contains(selected) {
            throw .unknownStage(selected, known: names)
        }
        if options.dryRun {
            let decisions = try decisions(manifest, store: store, options: options)
            options.decided?(decisions.map { ($0.stage.name, $0.plan.fingerprint, $0.runs) })
            for decision in decisions {
                console.line("\(decision.runs ? "would run" : "skip") \(decision.stage.name): \(decision.summary)")
            }
            return RunResult(outputDirectory: store.outputDirectory, reportURL: nil, plans: decisions.map(\.plan), outcomes: [:],
                             executed: [], wouldRun: decisions.filter { $0.runs }.map { ($0.stage.name, $0.summary) },
                             exitCode: 0)
        }
        let (outputLock, runLock, folderLock) = try lockForRunWithCache(manifest, store: store, options: options) { [console] in
            // No other process uses the cache: what killed ones left mid-commit can go (once its
            // folders are known to be real folders; a run refuses them otherwise, just after).
            guard (try? store.cache.checkFolders(stages: names)) != nil else { return }
            for path in store.cache.removeAbandonedTemporaries(stages: names) {
                console.line("nbrun: cleaned up after an earlier run: removed \(path)")
            }
        }
        defer { outputLock.release() }
        // Held to the very end: `clean` and `gc` wait for it (see ``RunLock``).
        defer { runLock.release(); folderLock?.release() }
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
        let decisions: [StageDecision]
        do { decisions = try self.decisions(manifest, store: store, options: options) } catch {
            // Nothing was planned, so nothing was written: a folder holding only what claiming
            // and locking it left goes again, unless another run uses it (it would hold the
            // folder's run lock too: its own cache's, or `.running`'s under `--cache`). The
            // folder itself goes only if its marker says nbrun created it.
            if store.usesOwnCache ? runLock.isHeldAlone() : folderLock?.isHeldAlone() == true {
                store.folder.removeIfOnlyClaimed(created: store.folder.createdFolder(),
                                                 lockFolders: [OutputFolder.cacheName, OutputFolder.runningName])
            }
            throw error
        }
        options.decided?(decisions.map { ($0.stage.name, $0.plan.fingerprint, $0.runs) })
        let plans = decisions.map(\.plan)
        let session = RunSession(runner: self, manifest: manifest, store: store, decisions: decisions, options: options)
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
        let store = ArtifactStore(for: manifest, options: options)
        try checkTarget(manifest, store: store, options: options)
        return VariantTable.collect(stages: manifest.stages.map(\.name), store: store)
    }

    /// What a run with `options` would do with each stage, and why, without taking the lock
    /// or running anything (`nbrun status`; a dry run prints the same decisions).
    public func status(_ manifest: Manifest, options: RunOptions = RunOptions()) throws(RunError) -> [StageDecision] {
        try decisions(manifest, store: ArtifactStore(for: manifest, options: options), options: options)
    }

    /// Why `stage` would rerun or not (`nbrun why`): its decision, and the decisions of the
    /// upstream stages whose change it names, so the change can be followed to where it was made.
    public func why(_ manifest: Manifest, stage name: String, options: RunOptions = RunOptions()) throws(RunError) -> StageExplanation {
        let decisions = try status(manifest, options: options)
        guard let decision = decisions.first(where: { $0.stage.name == name }) else {
            throw .unknownStage(name, known: decisions.map(\.stage.name))
        }
        var upstream: [String: StageDecision] = [:]
        for case .upstream(let stage) in decision.changes {
            upstream[stage] = decisions.first { $0.stage.name == stage }
        }
        return StageExplanation(decision: decision, upstream: upstream)
    }

    /// Removes what nbrun wrote in the notebook's output folder, under the cache's run lock
    /// and the output lock (so never while a run is using either), and leaves
    /// (and lists) everything else; see ``OutputCleaner``. Nil when there was nothing of
    /// nbrun's to remove (no folder, or an empty unmarked one). A folder nbrun did not mark
    /// is refused, unless it holds only what nbrun writes (an output from before the marker).
    @discardableResult
    public func clean(_ manifest: Manifest, options: RunOptions = RunOptions()) throws(RunError) -> CleanReport? {
        try withOutputFolderExclusively(manifest, options: options, removingTheFolder: true) { store, stageNames throws(StorageError) in
            try OutputCleaner(store: store, stageNames: stageNames).clean()
        }
    }

    /// Removes cached variants by `policy` (`nbrun gc`), under the cache's run lock and the
    /// output lock (so never while a run might read one), never those the output
    /// folder shows; see ``GarbageCollector``. Nil when there is no output folder of nbrun's.
    public func collectGarbage(_ manifest: Manifest, policy: GCPolicy, options: RunOptions = RunOptions()) throws(RunError) -> GCReport? {
        try withOutputFolderExclusively(manifest, options: options, removingTheFolder: false) { store, stageNames throws(StorageError) in
            try store.folder.checkOwnEntries()
            try store.cache.checkFolders(stages: stageNames)
            store.cache.removeAbandonedTemporaries(stages: stageNames)
            return try GarbageCollector(store: store, stages: stageNames).collect(policy)
        }
    }

    /// Runs `body` (`clean` or `gc`) holding the cache's run lock exclusively, then the output
    /// lock, so that no run uses the cache or the folder meanwhile. Nil, with nothing done,
    /// when there is no output folder of nbrun's, or another `clean` removed it while this
    /// one waited. `removingTheFolder` (clean) also waits for the runs on the folder that keep
    /// their variants elsewhere, and takes an unmarked folder holding only what nbrun writes;
    /// `gc` leaves that one, which has nothing cached yet (a run migrates it first).
    private func withOutputFolderExclusively<Report>(
        _ manifest: Manifest, options: RunOptions, removingTheFolder: Bool,
        body: (ArtifactStore, [String]) throws(StorageError) -> Report) throws(RunError) -> Report? {
        let store = ArtifactStore(for: manifest, options: options)
        try checkTarget(manifest, store: store, options: options)
        let stageNames = manifest.stages.map(\.name)
        /// Re-checked before each attempt at a lock and once it is held: a clean or run that
        /// held it meanwhile may have removed or replaced the folder.
        func proceed() throws(RunError) -> Bool {
            switch store.folder.state(stageNames: Set(stageNames)) {
            case .missing, .empty: return false
            case .owned: return true
            case .unmarkedNBRunOutput: return removingTheFolder
            case .foreign(let entries): throw .storage(.foreignOutputFolder(path: store.outputDirectory.path, entries: entries))
            case .notAFolder(let kind):
                throw .storage(.unexpectedEntry(path: store.outputDirectory.path, kind: kind.description, expected: "the output folder"))
            }
        }
        guard try proceed() else { return nil }
        let (proceeding, runLock) = try lockCacheExclusively(store, options: options, proceed: proceed)
        defer { runLock?.release() }
        guard proceeding else { return nil }
        // The whole folder goes: wait too for the runs on it that keep their variants elsewhere
        // (each holds `.running`, see ``lockForRunWithCache``) or, under `--cache`, in the
        // folder's own `.cache`. Always in this order, after the cache's lock.
        var folderLocks: [RunLock] = []
        defer { for lock in folderLocks { lock.release() } }
        let folderLockRoots = removingTheFolder ? (store.usesOwnCache ? [] : [store.ownCache.root]) + [store.runningLockRoot] : []
        for root in folderLockRoots {
            let (stillProceeding, lock) = try lockCacheExclusively(ArtifactStore(outputDirectory: store.outputDirectory, cacheDirectory: root),
                                                                   options: options, proceed: proceed)
            if let lock { folderLocks.append(lock) }
            guard stillProceeding else { return nil }
        }
        guard let outputLock = try OutputLock.acquire(
            at: store.lockURL, wait: options.waitForLock, cancellation: cancellation, prepare: proceed,
            onWait: waitingForOutputLock(store)) else { return nil }
        defer { outputLock.release() }
        do { return try body(store, stageNames) } catch { throw .storage(error) }
    }

    /// What `status` adds below the stages: an output folder a run would refuse, and commits
    /// a killed run left half done, which the next run completes (the stages' states shown
    /// are what that run will find).
    public func statusNotes(_ manifest: Manifest, options: RunOptions = RunOptions()) -> [String] {
        let store = ArtifactStore(for: manifest, options: options)
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
