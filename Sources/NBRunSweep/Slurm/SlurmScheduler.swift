import Foundation
import NBRunEngine

/// Talks to Slurm through its own commands (`sbatch`, `squeue`, `scontrol`), each started
/// directly with an argument vector. There is no accounting database to rely on (`sacct`
/// needs one), so task outcomes come from the cache; the scheduler only says which tasks are
/// still queued or running, and in what state the finished ones ended while it remembers them.
public struct SlurmScheduler: Sendable {
    public init() {}

    /// Submits a job script read from standard input; returns the job ID.
    public func submit(arguments: [String], script: String) throws(SlurmError) -> String {
        let output = try run("sbatch", arguments, input: Data(script.utf8))
        return try SbatchCommand.jobID(fromParsable: output)
    }

    /// Job IDs (`123`, and array tasks as `123_4`) that are pending, running or completing.
    public func activeJobs() throws(SlurmError) -> [String: String] {
        let output = try run("squeue", ["--noheader", "--array", "--format=%i|%T"], input: nil)
        var jobs: [String: String] = [:]
        for line in output.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "|", maxSplits: 1).map(String.init)
            if fields.count == 2 { jobs[fields[0].trimmingCharacters(in: .whitespaces)] = fields[1] }
        }
        return jobs
    }

    /// The final state of each task of `jobID` that the controller still remembers
    /// (`123_4` → `FAILED`); empty once it has forgotten the job.
    public func jobStates(_ jobID: String) -> [String: String] {
        guard let output = try? run("scontrol", ["--oneliner", "show", "job", jobID], input: nil) else { return [:] }
        var states: [String: String] = [:]
        for line in output.split(whereSeparator: \.isNewline) {
            var fields: [String: String] = [:]
            for token in line.split(separator: " ") {
                guard let equals = token.firstIndex(of: "=") else { continue }
                fields[String(token[..<equals])] = String(token[token.index(after: equals)...])
            }
            guard let state = fields["JobState"] else { continue }
            if let array = fields["ArrayJobId"], let task = fields["ArrayTaskId"] {
                states["\(array)_\(task)"] = state
            } else if let id = fields["JobId"] {
                states[id] = state
            }
        }
        return states
    }

    /// Cancels jobs (used by nothing in normal operation; the tests' scancel goes through here).
    public func cancel(_ jobIDs: [String]) throws(SlurmError) {
        _ = try run("scancel", jobIDs, input: nil)
    }

    /// Runs a Slurm command, returning its standard output; a failure carries its standard error.
    func run(_ tool: String, _ arguments: [String], input: Data?) throws(SlurmError) -> String {
        guard let executable = Self.find(tool) else { throw .toolNotFound(tool) }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe(), errors = Pipe(), stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        do { try process.run() } catch {
            throw .commandFailed(command: tool, status: -1, message: "\(error)")
        }
        if let input {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        // Read both pipes to the end before waiting, so a chatty command cannot block on a full pipe.
        let box = ErrorBox()
        let reader = Thread { box.data = errors.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !box.done { Thread.sleep(forTimeInterval: 0.001) }
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw .commandFailed(command: ([tool] + arguments).joined(separator: " "), status: process.terminationStatus,
                                 message: String(decoding: box.data, as: UTF8.self))
        }
        return text
    }

    /// The standard error of a command, filled by a reader thread.
    private final class ErrorBox: @unchecked Sendable {
        private let lock = NSLock()
        private var stored = Data()
        private var finished = false
        var data: Data {
            get { lock.withLock { stored } }
            set { lock.withLock { stored = newValue; finished = true } }
        }
        var done: Bool { lock.withLock { finished } }
    }

    /// The first executable `tool` on PATH (Slurm's commands live wherever the site put them).
    package static func find(_ tool: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") where !folder.isEmpty {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(tool)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }
}
