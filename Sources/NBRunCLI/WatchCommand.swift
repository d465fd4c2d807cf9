import ArgumentParser
import Foundation
import NBRunEngine
import NBRunWatch

extension NBRunCommand {
    struct Watch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a notebook, serve its report, and rerun what each save makes stale, updating the page in place.",
            discussion: """
                Reacts to saves of the manifest, of the notebook's Swift files and of the files and \
                folders its path parameters name; never to the output folder or the cache. A stage \
                marked `watch: manual` in the manifest is not rerun on a save: the page shows the \
                command that runs it. Ctrl-C stops the running stage, as for a run, and the server.
                """)

        @OptionGroup var notebook: ManifestOptions

        @Option(parsing: .unconditional, help: ArgumentHelp("Worker threads a stage may use (default: active CPU count).", valueName: "n"))
        var threads: Int?

        @Flag(help: "After a stage fails, go on with the stages that do not depend on it.")
        var keepGoing = false

        @Option(help: ArgumentHelp("The port to serve on (default \(LiveServer.defaultPort), or the next free one; 0 for any free port).", valueName: "port"))
        var port: UInt16?

        @Option(help: ArgumentHelp("Listen on this address instead of 127.0.0.1 only (the page is then reachable from elsewhere).", valueName: "address"))
        var host: String?

        func validate() throws {
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        }

        /// The arguments each run gets: the notebook's, as given.
        var runArguments: [String] {
            var arguments = [notebook.manifest]
            if let output = notebook.output { arguments += ["--output", output] }
            if let cache = notebook.cache { arguments += ["--cache", cache] }
            for override in notebook.overrides { arguments += ["--set", override] }
            if let threads { arguments += ["--threads", String(threads)] }
            if keepGoing { arguments.append("--keep-going") }
            return arguments
        }

        func run() throws {
            try reportingFailures {
                _ = try notebook.parsedOverrides()
                guard !notebook.manifest.isEmpty else {
                    throw CommandError.emptyManifestPath
                }
                let manifest = URL(fileURLWithPath: notebook.manifest)
                let kind = FileKind.following(manifest.path)
                guard kind.isRegularFile else {
                    throw kind.exists ? CommandError.notAManifest(path: manifest.path, kind: kind.description)
                                      : CommandError.noSuchManifest(path: manifest.path)
                }
                let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("nbrun watch: \($0)\n".utf8)) }
                let updates = LiveUpdates()
                let site = LiveSite(title: manifest.deletingPathExtension().lastPathComponent, updates: updates)
                let address = host ?? "127.0.0.1"
                let server = LiveServer(host: address, site: site)
                try server.start(port: port ?? LiveServer.defaultPort, exactPort: port != nil, log: log)
                if host != nil, !["127.0.0.1", "::1", "localhost"].contains(address) {
                    log("warning: listening on \(address), not only on this machine's loopback address: anyone who can reach it can read the report")
                }
                FileHandle.standardOutput.write(Data("nbrun watch: serving \(server.url) (Ctrl-C stops)\n".utf8))

                let watcher = NotebookWatcher(configuration: .init(runArguments: runArguments, manifest: manifest), site: site, log: log)
                let stop = StopSignals()
                watcher.start()
                stop.waitForFirst()
                log("stopping")
                Thread.detachNewThread {
                    // A second Ctrl-C: no waiting for the stage to stop.
                    stop.waitForSecond()
                    watcher.kill()
                }
                watcher.stop()
                server.stop()
                throw ExitCode(130)
            }
        }
    }
}

/// SIGINT, SIGTERM and SIGHUP, taken as requests to stop: the first asks, the second insists.
final class StopSignals: @unchecked Sendable {
    private let first = DispatchSemaphore(value: 0)
    private let second = DispatchSemaphore(value: 0)
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var count = 0

    init() {
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.received() }
            source.resume()
            sources.append(source)
        }
    }

    private func received() {
        lock.lock()
        count += 1
        let now = count
        lock.unlock()
        (now == 1 ? first : second).signal()
    }

    func waitForFirst() { first.wait() }
    func waitForSecond() { second.wait() }
}
