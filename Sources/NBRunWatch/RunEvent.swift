import Foundation

/// What a run tells the `nbrun watch` that started it: one JSON object per line, on the
/// descriptor that `NBRUN_EVENTS` names. The run's terminal output stays for people; these
/// are for the watcher, which must know what to watch, which stage variant is running (to
/// decide whether a save makes it stale) and how far it has come (for the page).
public enum RunEvent: Codable, Sendable, Equatable {
    /// What the run reads and writes, once the manifest is loaded: the watcher watches the
    /// first three and never reacts to the last two.
    case inputs(manifests: [String], codeFolders: [String], dataPaths: [String], output: String, cache: String)
    /// Each stage's current fingerprint, and whether this run computes it.
    case plan([PlannedStage])
    /// A stage's code is about to run, for this variant.
    case stageStarted(name: String, fingerprint: String)
    /// The running stage's progress line, a few times a second.
    case progress(stage: String, text: String)

    public struct PlannedStage: Codable, Sendable, Equatable {
        public var name: String
        public var fingerprint: String
        public var runs: Bool

        public init(name: String, fingerprint: String, runs: Bool) {
            self.name = name
            self.fingerprint = fingerprint
            self.runs = runs
        }
    }

    /// The environment variable naming the descriptor the events go to.
    public static let descriptorVariable = "NBRUN_EVENTS"

    /// Parses one line; nil for anything else (a run never writes anything else there, but
    /// the watcher must not stop over a line it cannot read).
    public static func parse(_ line: some StringProtocol) -> RunEvent? {
        try? JSONDecoder().decode(RunEvent.self, from: Data(line.utf8))
    }
}

/// The run's side: writes events to the descriptor `NBRUN_EVENTS` names, whole lines at a
/// time, from any thread. A watcher that went away (a closed pipe) only ends the events.
public final class RunEventWriter: @unchecked Sendable {
    private let descriptor: Int32
    private let lock = NSLock()
    private var broken = false

    /// The writer `NBRUN_EVENTS` asks for, or nil outside a watched run. The descriptor is
    /// closed on exec, so the compiler and other programs the run starts do not hold it open.
    public static func fromEnvironment() -> RunEventWriter? {
        guard let text = ProcessInfo.processInfo.environment[RunEvent.descriptorVariable],
              let descriptor = Int32(text), descriptor > 2, fcntl(descriptor, F_GETFD) >= 0 else { return nil }
        return RunEventWriter(descriptor: descriptor)
    }

    /// Marks the descriptor close-on-exec: call in the process that runs the stages (the
    /// worker), not in a supervisor that must hand it on to the worker it starts.
    public func closeOnExec() {
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
    }

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    public func send(_ event: RunEvent) {
        guard var data = try? JSONEncoder().encode(event) else { return }
        data.append(10)
        lock.lock(); defer { lock.unlock() }
        guard !broken else { return }
        var offset = 0
        while offset < data.count {
            let written = data[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { broken = true; return }
            offset += written
        }
    }
}
