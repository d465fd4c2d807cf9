import Foundation

/// The loop of `nbrun watch`: run the notebook, wait for a save, run what it made stale,
/// and tell the pages.
///
/// Each run is a child `nbrun run` with the watch's own arguments: a run is what it always
/// is (locks, cache, report), and a stage that crashes or an edit that no longer compiles
/// cannot take the watcher down. Saves are debounced (a burst gives one run) and compared
/// by ``InputSnapshot`` with the files as they were when the last run started, so that
/// nothing changes for the output folder, the cache, a save that left every file as it was,
/// or an editor's swap file. A save during a run asks a dry run for the fingerprint the
/// running stage now has: if it differs, the run is stopped as Ctrl-C stops it and the next
/// starts at once; otherwise the next run waits for this one to end.
public final class NotebookWatcher: @unchecked Sendable {
    public struct Configuration: Sendable {
        /// The arguments of `nbrun run` (manifest and options), as the user gave them.
        public var runArguments: [String]
        public var manifest: URL
        /// Quiet time after the last event before a run starts.
        public var debounce: TimeInterval = 0.1
        /// The longest a steady stream of events can put a run off.
        public var longestDelay: TimeInterval = 1

        public init(runArguments: [String], manifest: URL) {
            self.runArguments = runArguments
            self.manifest = manifest
        }
    }

    let configuration: Configuration
    let site: LiveSite
    var updates: LiveUpdates { site.updates }
    private let log: @Sendable (String) -> Void
    private let queue = DispatchQueue(label: "nbrun.watch")
    private var files: FileWatcher!

    // State, touched only on `queue`.
    private var roots: [String]
    private var excluded: [String] = []
    private var codeFolders: [String] = []
    private var outputFolder: URL?
    private var baseline = InputSnapshot()
    private var running: ChildRun?
    private var runningStage: (name: String, fingerprint: String)?
    private var planned: [RunEvent.PlannedStage] = []
    private var checking: ChildRun?
    private var checkAgain = false
    private var rerunPending = false
    private var interruptedForSave = false
    private var debounced: DispatchWorkItem?
    private var firstEventAt: Date?
    private var reportStamp: InputSnapshot.Signature?
    private var stopping = false
    private let stopped = DispatchSemaphore(value: 0)
    public private(set) var runsStarted = 0

    public init(configuration: Configuration, site: LiveSite, log: @escaping @Sendable (String) -> Void) {
        self.configuration = configuration
        self.site = site
        self.log = log
        let manifest = configuration.manifest.standardizedFileURL
        // Until the first run says what it reads: the manifest and the notebook's own folder.
        roots = [manifest.path, manifest.deletingPathExtension().path]
    }

    /// Starts the first run and watching; returns at once.
    public func start() {
        files = FileWatcher { [weak self] path in
            guard let self else { return }
            self.queue.async { self.noticed(path) }
        }
        queue.async { [self] in
            files.watch(roots, excluding: excluded)
            log("watching with \(files.mode == .inotify ? "inotify" : "polling every \(FileWatcher.pollInterval) s")")
            startRun(because: "first run")
            scheduleReportCheck()
        }
    }

    /// Stops the running stage as Ctrl-C would, waits for the run (up to `grace` seconds, then
    /// kills it), and stops watching.
    public func stop(grace: TimeInterval = 30) {
        queue.async { [self] in
            stopping = true
            files.stop()
            checking?.kill()
            if let running { running.interrupt() } else { stopped.signal() }
        }
        if stopped.wait(timeout: .now() + grace) == .timedOut {
            queue.sync { running?.kill() }
            _ = stopped.wait(timeout: .now() + 5)
        }
    }

    /// Ends a run at once (a second Ctrl-C).
    public func kill() {
        queue.sync {
            running?.kill()
            checking?.kill()
        }
    }

    // MARK: - saves

    private func noticed(_ path: String) {
        guard !stopping else { return }
        let now = Date()
        if firstEventAt == nil { firstEventAt = now }
        debounced?.cancel()
        let due = min(now.addingTimeInterval(configuration.debounce), firstEventAt!.addingTimeInterval(configuration.longestDelay))
        let work = DispatchWorkItem { [weak self] in self?.settled() }
        debounced = work
        queue.asyncAfter(deadline: .now() + max(0, due.timeIntervalSince(now)), execute: work)
    }

    private func settled() {
        firstEventAt = nil
        debounced = nil
        guard !stopping else { return }
        let now = InputSnapshot.take(roots: roots, excluding: excluded, swiftOnly: codeFolders)
        let changes = now.changes(since: baseline)
        guard !changes.isEmpty else { return }
        guard running != nil else {
            startRun(because: "changed: " + describe(changes))
            return
        }
        rerunPending = true
        if checking == nil { checkRunningStage() } else { checkAgain = true }
    }

    private func describe(_ changes: [String]) -> String {
        let shown = changes.prefix(3).map { path -> String in
            for root in roots where path.hasPrefix(root + "/") { return String(path.dropFirst(root.count + 1)) }
            return (path as NSString).lastPathComponent
        }
        return shown.joined(separator: ", ") + (changes.count > 3 ? " and \(changes.count - 3) more" : "")
    }

    /// A dry run of the notebook as it is now: if the running stage's fingerprint changed
    /// (its code, parameters, data or an upstream stage), the save made it stale.
    private func checkRunningStage() {
        guard let stage = runningStage else { return }
        checkAgain = false
        let collected = Box<[RunEvent.PlannedStage]>([])
        do {
            checking = try ChildRun(
                executable: "nbrun", arguments: ["run"] + configuration.runArguments + ["--dry-run"],
                onEvent: { event in if case .plan(let stages) = event { collected.value = stages } },
                onExit: { [weak self] _, _ in
                    guard let self else { return }
                    self.queue.async {
                        self.checking = nil
                        let now = collected.value
                        guard !self.stopping, let running = self.running, self.runningStage?.name == stage.name else { return }
                        if let fresh = now.first(where: { $0.name == stage.name }), fresh.fingerprint != stage.fingerprint {
                            self.log("a save made the running stage \(stage.name) stale: stopping it")
                            self.interruptedForSave = true
                            running.interrupt()
                        } else if self.checkAgain {
                            self.checkRunningStage()
                        }
                    }
                })
        } catch {
            log("\(error)")
        }
    }

    // MARK: - runs

    private func startRun(because reason: String) {
        guard !stopping else { return }
        baseline = InputSnapshot.take(roots: roots, excluding: excluded, swiftOnly: codeFolders)
        rerunPending = false
        interruptedForSave = false
        runningStage = nil
        planned = []
        runsStarted += 1
        log("run \(runsStarted) (\(reason))")
        updates.send(.init(state: "running"))
        do {
            running = try ChildRun(
                executable: "nbrun", arguments: ["run"] + configuration.runArguments + ["--leave-manual-stages"],
                onEvent: { [weak self] event in
                    guard let self else { return }
                    self.queue.async { self.handle(event) }
                },
                onExit: { [weak self] status, stderr in
                    guard let self else { return }
                    self.queue.async { self.runEnded(status: status, stderr: stderr) }
                })
        } catch {
            running = nil
            updates.send(.init(state: "error", message: "\(error)"))
            log("\(error)")
        }
    }

    private func handle(_ event: RunEvent) {
        switch event {
        case .inputs(let manifests, let codeFolders, let dataPaths, let output, let cache):
            let newRoots = manifests + codeFolders + dataPaths
            let newExcluded = [output, cache]
            if newRoots != roots || newExcluded != excluded || codeFolders != self.codeFolders {
                roots = newRoots
                excluded = newExcluded
                self.codeFolders = codeFolders
                files.watch(roots, excluding: excluded)
                // What the run reads now is the baseline: it read these files as they are.
                baseline = InputSnapshot.take(roots: roots, excluding: excluded, swiftOnly: codeFolders)
            }
            let outputURL = URL(fileURLWithPath: output)
            outputFolder = outputURL
            site.serve(ServedFiles(outputFolder: outputURL, cacheFolder: URL(fileURLWithPath: cache)))
        case .plan(let stages):
            planned = stages
            updates.send(.init(state: "running", stale: stages.filter(\.runs).map(\.name)))
        case .stageStarted(let name, let fingerprint):
            runningStage = (name, fingerprint)
            updates.send(.init(state: "running", stage: name, stale: staleAfter(name)))
        case .progress(let stage, let text):
            updates.send(.init(state: "running", stage: stage, progress: text, stale: staleAfter(stage)))
        }
    }

    /// The stages still to be recomputed once `stage` has started.
    private func staleAfter(_ stage: String) -> [String] {
        guard let index = planned.firstIndex(where: { $0.name == stage }) else { return [] }
        return planned[index...].filter(\.runs).map(\.name)
    }

    private func runEnded(status: Int32, stderr: String) {
        running = nil
        runningStage = nil
        let wroteReport = noteReport()
        if wroteReport { updates.reportWritten() }
        switch status {
        case 0: updates.send(.init(state: "idle"))
        case 130 where interruptedForSave: updates.send(.init(state: "running", progress: "restarting for the save"))
        case 130, 143: updates.send(.init(state: "interrupted"))
        case 1 where wroteReport: updates.send(.init(state: "failed"))
        default:
            // No report to show it in (an invalid manifest, a missing notebook): the page shows
            // what the run said, and the last report stays.
            let message = stderr.split(separator: "\n").filter { $0.hasPrefix("nbrun: error:") || !$0.hasPrefix("nbrun:") }
                .suffix(20).joined(separator: "\n")
            updates.send(.init(state: "error", message: message.isEmpty ? "the run ended with status \(status)" : message))
        }
        if stopping {
            stopped.signal()
            return
        }
        let changed = !InputSnapshot.take(roots: roots, excluding: excluded, swiftOnly: codeFolders).changes(since: baseline).isEmpty
        if rerunPending || changed { startRun(because: interruptedForSave ? "restarted for the save" : "saved during the last run") }
    }

    /// Whether `report.html` changed since last noted (this watcher's run, or another nbrun
    /// that ran a stage by hand, such as one marked `watch: manual`).
    private func noteReport() -> Bool {
        guard let outputFolder else { return false }
        let path = outputFolder.appendingPathComponent("report.html").path
        var status = stat()
        guard lstat(path, &status) == 0 else { return false }
        let stamp = InputSnapshot.Signature(status)
        defer { reportStamp = stamp }
        return stamp != reportStamp
    }

    private func scheduleReportCheck() {
        queue.asyncAfter(deadline: .now() + 1) { [weak self] in
            guard let self, !self.stopping else { return }
            if self.running == nil, self.noteReport() { self.updates.reportWritten() }
            self.scheduleReportCheck()
        }
    }
}
