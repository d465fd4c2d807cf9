import Foundation

/// Why driving the browser failed. Each says what to do, since a missing browser must
/// fail the browser test loudly rather than skip it.
public enum BrowserError: Error, CustomStringConvertible {
    case chromiumMissing(searched: [String])
    case cannotStart(String)
    case timedOut(waitingFor: String, seconds: Double)
    case closed(waitingFor: String)
    case protocolError(method: String, message: String)
    case malformedMessage(String)

    public var description: String {
        switch self {
        case .chromiumMissing(let searched):
            "headless Chromium is required for this test and was not found (looked for \(searched.joined(separator: ", "))); install Debian's chromium package: Scripts/test does it with apt-get"
        case .cannotStart(let reason): "cannot start Chromium: \(reason)"
        case .timedOut(let what, let seconds): "Chromium did not answer \(what) within \(seconds) s"
        case .closed(let what): "Chromium closed its DevTools pipe while the test waited for \(what)"
        case .protocolError(let method, let message): "DevTools \(method) failed: \(message)"
        case .malformedMessage(let text): "malformed DevTools message: \(text.prefix(200))"
        }
    }
}

/// Headless Chromium driven through the DevTools protocol over `--remote-debugging-pipe`:
/// the browser reads commands from its descriptor 3 and writes replies and events to
/// descriptor 4, one JSON object per message, each ended by a NUL byte. No port is opened,
/// so parallel test runs cannot collide and nothing else on the machine can connect.
public final class DevToolsPipe {
    private let pid: pid_t
    private let commands: Int32
    private let replies: Int32
    private var buffer: [UInt8] = []
    private var nextID = 1
    /// Events received so far, in order (each: method, params, sessionId).
    public private(set) var events: [[String: Any]] = []
    private let profile: URL

    public static let candidates = ["/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"]

    public static func findChromium() throws -> String {
        if let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return path }
        throw BrowserError.chromiumMissing(searched: candidates)
    }

    public init(windowWidth: Int = 1280, windowHeight: Int = 1000) throws {
        let executable = try Self.findChromium()
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("nbrun-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        let arguments = [
            executable, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
            "--user-data-dir=\(profile.path)", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--mute-audio", "--hide-scrollbars", "--disable-dev-shm-usage",
            "--window-size=\(windowWidth),\(windowHeight)", "about:blank",
        ]
        var toBrowser: [Int32] = [0, 0], fromBrowser: [Int32] = [0, 0]
        guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else { throw BrowserError.cannotStart(String(cString: strerror(errno))) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toBrowser[0], 3)
        posix_spawn_file_actions_adddup2(&actions, fromBrowser[1], 4)
        for descriptor in [toBrowser[1], fromBrowser[0]] { posix_spawn_file_actions_addclose(&actions, descriptor) }
        let devNull = open("/dev/null", O_RDWR)
        if devNull >= 0 {
            // Chromium's own chatter (GPU, D-Bus) is not the page's console; keep test output readable.
            posix_spawn_file_actions_adddup2(&actions, devNull, 1)
            posix_spawn_file_actions_adddup2(&actions, devNull, 2)
        }
        var argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child = pid_t()
        let status = posix_spawn(&child, executable, &actions, nil, &argv, environ)
        close(toBrowser[0])
        close(fromBrowser[1])
        if devNull >= 0 { close(devNull) }
        guard status == 0 else {
            close(toBrowser[1]); close(fromBrowser[0])
            throw BrowserError.cannotStart(String(cString: strerror(status)))
        }
        pid = child
        commands = toBrowser[1]
        replies = fromBrowser[0]
        signal(SIGPIPE, SIG_IGN)
    }

    /// Sends a command and waits for its reply, keeping the events that arrive meanwhile.
    @discardableResult
    public func send(_ method: String, _ parameters: [String: Any] = [:], session: String? = nil, timeout: Double = 60) throws -> [String: Any] {
        let id = nextID
        nextID += 1
        var message: [String: Any] = ["id": id, "method": method, "params": parameters]
        if let session { message["sessionId"] = session }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message))
        bytes.append(0)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(commands, $0.baseAddress!, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw BrowserError.closed(waitingFor: method) }
            offset += written
        }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let reply = try nextMessage(waitingFor: method, until: deadline)
            if reply["id"] as? Int == id {
                if let error = reply["error"] as? [String: Any] {
                    throw BrowserError.protocolError(method: method, message: "\(error["message"] ?? error)")
                }
                return reply["result"] as? [String: Any] ?? [:]
            }
            if reply["method"] != nil { events.append(reply) }
        }
    }

    /// Waits until an event with this method (and session) has arrived, returning it.
    @discardableResult
    public func waitForEvent(_ method: String, session: String? = nil, timeout: Double = 60) throws -> [String: Any] {
        func matches(_ event: [String: Any]) -> Bool {
            event["method"] as? String == method && (session == nil || event["sessionId"] as? String == session)
        }
        if let event = events.first(where: matches) { return event }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let message = try nextMessage(waitingFor: method, until: deadline)
            guard message["method"] != nil else { continue }
            events.append(message)
            if matches(message) { return message }
        }
    }

    public func clearEvents() { events.removeAll() }

    private func nextMessage(waitingFor what: String, until deadline: Date) throws -> [String: Any] {
        while true {
            if let end = buffer.firstIndex(of: 0) {
                let data = Data(buffer[..<end])
                buffer.removeSubrange(...end)
                guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                    throw BrowserError.malformedMessage(String(decoding: data, as: UTF8.self))
                }
                return object
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw BrowserError.timedOut(waitingFor: what, seconds: remaining) }
            var descriptor = pollfd(fd: replies, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining, 1) * 1000))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let count = chunk.withUnsafeMutableBytes { read(replies, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw BrowserError.closed(waitingFor: what) }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    /// Asks the browser to quit, then makes sure it has: no Chromium outlives the test.
    public func quit() {
        _ = try? send("Browser.close", timeout: 5)
        Glibc.close(commands)
        Glibc.close(replies)
        var status: Int32 = 0
        for _ in 0..<50 {
            if waitpid(pid, &status, WNOHANG) == pid { try? FileManager.default.removeItem(at: profile); return }
            usleep(100_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        try? FileManager.default.removeItem(at: profile)
    }
}
