import Foundation
import Testing

/// The repository's demo notebook, copied into a temporary folder and watched by a real
/// `nbrun watch` (the debug build beside the tests), with its output in files the test reads.
final class WatchedNotebook {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let binary: URL? = {
        let places = [URL(fileURLWithPath: CommandLine.arguments[0]), Bundle.main.bundleURL]
            .flatMap { [$0.deletingLastPathComponent(), $0.deletingLastPathComponent().deletingLastPathComponent()] }
        return places.map { $0.appendingPathComponent("nbrun") }.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    let folder: URL
    var manifest: URL { folder.appendingPathComponent("Demo.manifest") }
    private(set) var process: Process?
    private(set) var url = ""
    let stdoutFile: URL
    let stderrFile: URL
    private let ownsFolder: Bool

    /// A second watcher of the same notebook folder.
    init(sharing other: WatchedNotebook, name: String) {
        folder = other.folder
        stdoutFile = folder.appendingPathComponent("\(name).out")
        stderrFile = folder.appendingPathComponent("\(name).err")
        ownsFolder = false
    }

    /// `manifest` replaces the demo's own when given.
    init(manifest text: String? = nil) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("nbrun-watch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        let notebooks = Self.repository.appendingPathComponent("Tests/Notebooks")
        try FileManager.default.copyItem(at: notebooks.appendingPathComponent("Demo"), to: folder.appendingPathComponent("Demo"))
        try FileManager.default.copyItem(at: notebooks.appendingPathComponent("data/demo"), to: folder.appendingPathComponent("data/demo"))
        let manifest = folder.appendingPathComponent("Demo.manifest")
        if let text {
            try text.write(to: manifest, atomically: true, encoding: .utf8)
        } else {
            try FileManager.default.copyItem(at: notebooks.appendingPathComponent("Demo.manifest"), to: manifest)
        }
        stdoutFile = folder.appendingPathComponent("watch.out")
        stderrFile = folder.appendingPathComponent("watch.err")
        ownsFolder = true
    }

    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        if ownsFolder { try? FileManager.default.removeItem(at: folder) }
    }

    /// Starts `nbrun watch Demo.manifest` and waits for the address it serves.
    func start(_ extra: [String] = ["--port", "0"], environment overrides: [String: String] = [:]) throws {
        let binary = try #require(Self.binary, "build the executable first: swift build --build-tests")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["watch", "Demo.manifest"] + extra
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        // This copy is the notebook: the repository's demo, loaded too, would declare the same kinds.
        environment["NBRUN_USES"] = nil
        environment["NBRUN_PLUGIN_CACHE"] = Self.repository.appendingPathComponent(".build/test-plugins").path
        environment["CI"] = "true"
        for (key, value) in overrides { environment[key] = value }
        process.environment = environment
        FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
        self.process = process
        try waitUntil("the address it serves", seconds: 30) { stdout.contains("serving http://") || !process.isRunning }
        let line = stdout.split(separator: "\n").first { $0.contains("serving http://") } ?? ""
        url = line.split(separator: " ").first { $0.hasPrefix("http://") }.map(String.init) ?? ""
    }

    enum Stream { case stdout, stderr }

    var stdout: String { (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

    /// How many runs the watcher has started (it says so on standard error, one line each).
    var runsStarted: Int { stderr.split(separator: "\n").filter { $0.hasPrefix("nbrun watch: run ") }.count }

    func waitFor(_ text: String, in stream: Stream, seconds: Double = 60) throws {
        try waitUntil("'\(text)' on \(stream)", seconds: seconds) { (stream == .stdout ? stdout : stderr).contains(text) }
    }

    func waitUntil(_ what: String, seconds: Double = 60, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return }
            usleep(50_000)
        }
        throw WatchTestTimeout(what: what, stdout: stdout, stderr: stderr)
    }

    /// Rewrites a file of the notebook as an editor saving by rename does.
    func save(_ relativePath: String, _ edit: (String) -> String) throws {
        let file = folder.appendingPathComponent(relativePath)
        let text = try String(contentsOf: file, encoding: .utf8)
        try edit(text).write(to: file, atomically: true, encoding: .utf8)
    }

    /// Ctrl-C, and the exit status.
    func interrupt(within seconds: Double = 60) throws -> Int32 {
        let process = try #require(process)
        process.interrupt()
        try waitUntil("nbrun watch to exit after SIGINT", seconds: seconds) { !process.isRunning }
        return process.terminationStatus
    }
}

struct WatchTestTimeout: Error, CustomStringConvertible {
    var what: String
    var stdout: String
    var stderr: String
    var description: String { "timed out waiting for \(what)\n--- stdout:\n\(stdout.suffix(3000))\n--- stderr:\n\(stderr.suffix(3000))" }
}

/// Every process below `pid` (children, their children), from /proc.
func descendants(of pid: pid_t) -> [pid_t] {
    var parents: [pid_t: pid_t] = [:]
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
        guard let child = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { continue }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        if fields.count > 1, let parent = pid_t(fields[1]) { parents[child] = parent }
    }
    var result: [pid_t] = []
    var pending = [pid]
    while let next = pending.popLast() {
        for (child, parent) in parents where parent == next {
            result.append(child)
            pending.append(child)
        }
    }
    return result
}

/// Whether a process is still there and not a zombie.
func isAlive(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
    return !stat[stat.index(after: close)...].hasPrefix(" Z")
}
