import Foundation
import ProcessSpawning

/// One `nbrun run` the watcher started: its events as they come, its standard error passed
/// through to ours (the last of it kept for the page), and its exit. It is the leader of its
/// own process group, so a terminal's Ctrl-C reaches only the watcher, which stops the run
/// with one SIGINT, as Ctrl-C stops a run; and it ends when the watcher does, however the
/// watcher ends (`NBRUN_EVENTS` makes it ask the kernel for that).
public final class ChildRun: @unchecked Sendable {
    public let pid: pid_t
    private let errorRelay: StderrRelay

    /// `onEvent` and `onExit` are called on the reading threads, `onExit` last, once, with
    /// the exit status (128 + n for signal n) and the end of what it wrote to standard error.
    public init(executable: String, arguments: [String], onEvent: @escaping @Sendable (RunEvent) -> Void,
                onExit: @escaping @Sendable (Int32, String) -> Void) throws {
        var events: [Int32] = [-1, -1], errors: [Int32] = [-1, -1]
        guard pipe(&events) == 0, pipe(&errors) == 0 else { throw ChildRunError.cannotStart(String(cString: strerror(errno))) }
        for descriptor in events + errors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        let eventsDescriptor: Int32 = 4
        var environment = ProcessInfo.processInfo.environment
        environment[RunEvent.descriptorVariable] = String(eventsDescriptor)
        environment["NBRUN_WORKER"] = nil
        let started = SelfSpawn.start(arguments: [executable] + arguments, environment: environment,
                                      descriptors: [(events[1], eventsDescriptor), (errors[1], 2)], newProcessGroup: true)
        close(events[1])
        close(errors[1])
        let spawned: pid_t
        switch started {
        case .success(let pid): spawned = pid
        case .failure(let failure):
            close(events[0]); close(errors[0])
            throw ChildRunError.cannotStart(failure.description)
        }
        pid = spawned
        errorRelay = StderrRelay(descriptor: errors[0], keep: 16 << 10)
        let child = spawned
        let group = DispatchGroup()
        let eventsRead = events[0], errorsRead = errors[0]
        group.enter()
        Thread.detachNewThread {
            Self.readLines(eventsRead) { line in if let event = RunEvent.parse(line) { onEvent(event) } }
            close(eventsRead)
            group.leave()
        }
        group.enter()
        Thread.detachNewThread { [self] in
            errorRelay.relay()
            close(errorsRead)
            group.leave()
        }
        Thread.detachNewThread { [self] in
            var status: Int32 = 0
            while waitpid(child, &status, 0) < 0, errno == EINTR {}
            group.wait()
            let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            onExit(code, stderrTail)
        }
    }

    /// As Ctrl-C would: the run stops its stage at the next check, keeps nothing of it and
    /// writes its report (its supervisor passes the signal on to the worker).
    public func interrupt() { Glibc.kill(pid, SIGINT) }

    /// The whole process group at once: the run, its worker, a compiler they started.
    public func kill() { Glibc.kill(-pid, SIGKILL) }

    public var stderrTail: String { errorRelay.text }

    private static func readLines(_ descriptor: Int32, _ body: (Substring) -> Void) {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            pending.append(contentsOf: buffer[0..<count])
            while let newline = pending.firstIndex(of: 10) {
                body(Substring(decoding: pending[..<newline], as: UTF8.self))
                pending.removeSubrange(...newline)
            }
            // A line no event is this long: drop it rather than grow without bound.
            if pending.count > 4 << 20 { pending.removeAll() }
        }
    }
}

public enum ChildRunError: Error, CustomStringConvertible {
    case cannotStart(String)
    public var description: String {
        switch self {
        case .cannotStart(let reason): "cannot start a run: \(reason)"
        }
    }
}
