import Foundation

/// The `nbrun` executable SwiftPM built next to the test bundle, if any.
///
/// The manifests the process tests write name the demo notebook's stages, which nbrun
/// compiles from `Tests/Notebooks/Demo`: every nbrun they start uses it (`NBRUN_USES`), and
/// keeps its compiled notebooks apart from the user's. `Scripts/test` sets both for the whole
/// run; this sets them, unless set, for a bare `swift test`.
package let nbrunBinary: URL? = {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    setenv("NBRUN_USES", repository.appendingPathComponent("Tests/Notebooks/Demo.manifest").path, 0)
    setenv("NBRUN_PLUGIN_CACHE", repository.appendingPathComponent(".build/test-plugins").path, 0)
    let places = [URL(fileURLWithPath: CommandLine.arguments[0]), Bundle.main.bundleURL]
        .flatMap { [$0.deletingLastPathComponent(), $0.deletingLastPathComponent().deletingLastPathComponent()] }
    return places.map { $0.appendingPathComponent("nbrun") }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }
}()

/// A line did not appear in a child process's output in time.
package struct OutputTimeout: Error, CustomStringConvertible {
    package var expected: String
    package var seconds: Double
    package var exited: Bool
    package var output: String

    package var description: String {
        "'\(expected)' did not appear within \(seconds) s\(exited ? " (the process exited)" : ""); output so far:\n\(output)"
    }
}

/// An nbrun process whose output goes to a file, so a test can wait for a line that proves
/// the run reached a point (instead of sleeping and hoping) before it signals the process.
package final class RunningNBRun {
    package let process = Process()
    package let log: URL

    /// `environment` replaces the test process's own when given (the Slurm tests' cluster
    /// configuration, a PATH without Slurm's commands). The output goes to a file in
    /// `logFolder`, by default the working folder.
    package init(_ binary: URL, _ arguments: [String], in folder: URL, environment: [String: String]? = nil, logFolder: URL? = nil) throws {
        log = (logFolder ?? folder).appendingPathComponent("nbrun-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.executableURL = binary
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.currentDirectoryURL = folder
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        try handle.close()
    }

    package var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Polls the output until it contains `text`; generous by default for a loaded CI machine.
    package func waitForOutput(containing text: String, timeout seconds: Double = 60) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !output.contains(text) {
            guard process.isRunning, Date() < deadline else {
                if output.contains(text) { return }
                throw OutputTimeout(expected: text, seconds: seconds, exited: !process.isRunning, output: output)
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    package func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits at most `seconds` for the process to end: false (the process then killed) when
    /// it is still running, a hang the test reports instead of hanging itself.
    package func ended(within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        guard process.isRunning else { return true }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return false
    }

    /// A test that failed half way must not leave its nbrun running into the next tests (and
    /// SIGTERM may be blocked in it: `Process` children inherit the signal mask).
    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Waits for the process to end: its exit status and everything it printed.
    package func finish() -> (status: Int32, output: String) {
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
