import AtomicFiles
#if os(Linux)
import CProcessControl
#endif
import Foundation
import NBRunEngine
import ProcessSpawning

/// Runs a notebook in a worker process, so that a stage that traps (an index out of range,
/// a force-unwrapped nil, a `precondition`), overflows its stack or exhausts memory is a
/// failed cell and not a dead tool.
///
/// The worker is this same command, told by `NBRUN_WORKER` which descriptor to report each
/// stage's start on. When it dies of a signal while a stage runs, the supervisor takes the
/// message the Swift runtime printed (`Fatal error: …`) and the first frame of its backtrace
/// in the notebook's own files, and starts the worker again, telling it (`NBRUN_CRASHES`)
/// that this stage fails with that message: the run then goes on as after any failed stage,
/// so the report shows the failure at its cell, the other stages keep their results and
/// `--keep-going` continues with the independent ones. Every stage that completed before the
/// crash was committed, so the second worker finds it in the cache.
enum StageSupervisor {
    static let workerVariable = "NBRUN_WORKER"
    static let crashesVariable = "NBRUN_CRASHES"

    /// In the worker: nil. Otherwise the exit status of the supervised run.
    static func superviseUnlessWorker(manifest: String) -> Int32? {
        let environment = ProcessInfo.processInfo.environment
        if environment[workerVariable] != nil {
            becomeWorker()
            return nil
        }
        var crashes: [String: String] = [:]
        let crashFile = FileManager.default.temporaryDirectory.appendingPathComponent("nbrun-crashes-\(getpid()).json")
        defer { try? FileManager.default.removeItem(at: crashFile) }
        while true {
            let attempt = WorkerAttempt(crashFile: crashes.isEmpty ? nil : crashFile)
            guard let outcome = attempt.run() else { return 1 }
            switch outcome {
            case .exited(let status):
                return status
            case .signalled(let signal, let stage, let stderrTail):
                guard let stage, !forwardedStops.contains(signal), crashes[stage] == nil else { return 128 + signal }
                // Only after a crash: the notebooks' folders, for the stage's line in the backtrace.
                let codeFolders = (try? NotebookPlugins.notebooks(for: URL(fileURLWithPath: manifest)))?
                    .compactMap { $0.codeFolder?.standardizedFileURL.path } ?? []
                let message = describe(signal: signal, stderr: stderrTail, codeFolders: codeFolders)
                let name = stage.split(separator: "@").first.map(String.init) ?? stage
                FileHandle.standardError.write(Data("nbrun: stage \(name) crashed: \(message)\n".utf8))
                crashes[stage] = message
                // Replaced whole, never written through whatever is at that name in /tmp.
                guard let data = try? JSONEncoder().encode(crashes), (try? AtomicFile.write(data, to: crashFile)) != nil else {
                    return 128 + signal
                }
            }
        }
    }

    /// The signals that stop a run on request, not a crash: the worker is not started again.
    static let forwardedStops: Set<Int32> = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    /// In the worker: it dies with the supervisor, whatever kills that.
    static func becomeWorker() {
        #if os(Linux)
        _ = nbrun_die_with_parent()
        #endif
        if getppid() == 1 { exit(1) }
        // The compiler and other commands the worker starts must not hold the pipe open.
        if let text = ProcessInfo.processInfo.environment[workerVariable], let descriptor = Int32(text) {
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
    }

    /// The crashes an earlier worker of this run reported, by stage.
    static var reportedCrashes: [String: String] {
        guard let path = ProcessInfo.processInfo.environment[crashesVariable], !path.isEmpty,
              let data = try? Data(contentsOf: URL(fileURLWithPath: path)),
              let crashes = try? JSONDecoder().decode([String: String].self, from: data) else { return [:] }
        return crashes
    }

    /// Tells the supervisor a stage starts (nothing outside a worker): its name and its
    /// variant's fingerprint, so that in a sweep only the variant that crashed fails.
    static let stageStarting: @Sendable (String, String) -> Void = { name, fingerprint in
        guard let text = ProcessInfo.processInfo.environment[workerVariable], let descriptor = Int32(text) else { return }
        let line = Array("start \(RunOptions.crashKey(stage: name, fingerprint: fingerprint))\n".utf8)
        _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    /// What the runtime said, where in the notebook's files, and what the signal means.
    static func describe(signal: Int32, stderr: String, codeFolders: [String]) -> String {
        let lines = stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        // A backtrace frame ends "at /path/File.swift:LINE:COLUMN"; the first in the
        // notebook's own files is the stage's line.
        let stageLine = lines.lazy.compactMap { line -> String? in
            guard let at = line.range(of: " at ", options: .backwards) else { return nil }
            let location = line[at.upperBound...].trimmingCharacters(in: .whitespaces)
            return codeFolders.contains { location.hasPrefix($0 + "/") } ? location : nil
        }.first
        // "Swift/ContiguousArrayBuffer.swift:692: Fatal error: Index out of range": the
        // message, and where the runtime stopped when no line of the notebook's is known.
        var message = meaning(of: signal)
        if let fatal = lines.last(where: { $0.contains("Fatal error") || $0.contains("Could not allocate") }) {
            let text = fatal.trimmingCharacters(in: .whitespaces)
            if let range = text.range(of: "Fatal error") {
                let place = text[..<range.lowerBound].trimmingCharacters(in: CharacterSet(charactersIn: ": "))
                message = String(text[range.lowerBound...]) + (stageLine == nil && !place.isEmpty ? " (in \(place))" : "")
            } else {
                message = text
            }
        }
        return stageLine.map { "\(message), at \($0)" } ?? message
    }

    static func meaning(of signal: Int32) -> String {
        switch signal {
        case SIGSEGV, SIGBUS: return "the process crashed (\(signal == SIGSEGV ? "SIGSEGV" : "SIGBUS")): a stack overflow or a bad memory access"
        case SIGKILL: return "the process was killed (SIGKILL): the system may have run out of memory"
        case SIGILL, SIGTRAP: return "the process trapped (\(signal == SIGILL ? "SIGILL" : "SIGTRAP"))"
        case SIGABRT: return "the process aborted (SIGABRT)"
        case SIGFPE: return "the process crashed (SIGFPE): an arithmetic error"
        default: return "the process died of signal \(signal)"
        }
    }
}

/// The supervisor's side of one worker: its standard error is passed through (the tail is
/// kept for the crash message), and it reports each stage's start on its own pipe.
struct WorkerAttempt {
    var crashFile: URL?

    enum Outcome {
        case exited(Int32)
        case signalled(Int32, stage: String?, stderr: String)
    }

    func run() -> Outcome? {
        var events: [Int32] = [-1, -1], errors: [Int32] = [-1, -1]
        // Closed on exec: the worker gets only the copies below, at fixed numbers.
        guard pipe(&events) == 0, pipe(&errors) == 0 else { return nil }
        for descriptor in events + errors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        let eventsDescriptor: Int32 = 3
        var environment = ProcessInfo.processInfo.environment
        environment[StageSupervisor.workerVariable] = String(eventsDescriptor)
        environment[StageSupervisor.crashesVariable] = crashFile?.path ?? ""
        // A crash's message and the stage's line, without the interactive backtracer.
        if environment["SWIFT_BACKTRACE"] == nil {
            environment["SWIFT_BACKTRACE"] = "enable=yes,interactive=no,color=no,threads=crashed,registers=none,images=none,limit=24,top=0"
        }

        Forwarding.install()
        let pid: pid_t
        switch SelfSpawn.start(arguments: CommandLine.arguments, environment: environment,
                               descriptors: [(events[1], eventsDescriptor), (errors[1], 2)]) {
        case .success(let started): pid = started
        case .failure(let failure):
            FileHandle.standardError.write(Data("nbrun: error: cannot start the worker process: \(failure)\n".utf8))
            return nil
        }
        Forwarding.worker = pid
        close(events[1])
        close(errors[1])

        let stages = StageTracker(descriptor: events[0])
        let tail = StderrRelay(descriptor: errors[0], keep: 64 << 10)
        let readers = [Thread { stages.read() }, Thread { tail.relay() }]
        readers.forEach { $0.start() }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        Forwarding.worker = 0
        stages.finished.wait()
        tail.finished.wait()
        close(events[0])
        close(errors[0])
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .signalled(status & 0x7f, stage: stages.running, stderr: tail.text)
    }
}

/// The stage the worker last said it started.
final class StageTracker: @unchecked Sendable {
    let descriptor: Int32
    let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var current: String?

    init(descriptor: Int32) { self.descriptor = descriptor }

    var running: String? { lock.lock(); defer { lock.unlock() }; return current }

    func read() {
        var pending = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            pending.append(contentsOf: buffer[0..<count])
            while let newline = pending.firstIndex(of: 10) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                if line.hasPrefix("start ") {
                    lock.lock(); current = String(line.dropFirst(6)); lock.unlock()
                }
            }
        }
        finished.signal()
    }
}


/// Signals another process sends the supervisor (`kill`, `scancel`, a time limit) go on to
/// the worker. A terminal's Ctrl-C reaches both already, the worker through its process
/// group, so signals the kernel sends are not passed on: the worker would take one Ctrl-C
/// for two and quit at once.
enum Forwarding {
    nonisolated(unsafe) static var worker: pid_t = 0
    nonisolated(unsafe) private static var installed = false

    static func install() {
        guard !installed else { return }
        installed = true
        for signal in StageSupervisor.forwardedStops {
            var action = sigaction()
            action.sa_flags = SA_SIGINFO | SA_RESTART
            action.__sigaction_handler.sa_sigaction = { signal, info, _ in
                guard let info, info.pointee.si_code <= 0, Forwarding.worker > 0 else { return }
                kill(Forwarding.worker, signal)
            }
            sigaction(signal, &action, nil)
        }
    }
}
