import FlyingFox
import Foundation

/// What every open page is told: the watcher's state (running which stage, how far; idle;
/// failed; an error), and the count of reports written so far, which a page compares with
/// its own to fetch a newer one. A page that connects is told both at once.
public final class LiveUpdates: @unchecked Sendable {
    private let lock = NSLock()
    private var clients: [UUID: AsyncStream<WSMessage>.Continuation] = [:]
    private var lastStatus = Status(state: "running")
    public private(set) var reportVersion = 0

    public struct Status: Codable, Sendable, Equatable {
        public var type = "status"
        /// `running`, `idle`, `failed`, `interrupted` or `error`.
        public var state: String
        public var stage: String?
        public var progress: String?
        /// The text of an error that has no report to show it (an invalid manifest).
        public var message: String?
        /// Stages the running run recomputes, marked on the page until they are.
        public var stale: [String]?

        public init(state: String, stage: String? = nil, progress: String? = nil, message: String? = nil, stale: [String]? = nil) {
            self.state = state
            self.stage = stage
            self.progress = progress
            self.message = message
            self.stale = stale
        }
    }

    public init() {}

    public var status: Status {
        lock.lock(); defer { lock.unlock() }
        return lastStatus
    }

    public var connectedPages: Int {
        lock.lock(); defer { lock.unlock() }
        return clients.count
    }

    public func send(_ status: Status) {
        lock.lock()
        lastStatus = status
        let targets = Array(clients.values)
        lock.unlock()
        let text = Self.json(status)
        for client in targets { client.yield(.text(text)) }
    }

    /// A new report is on disk: every page fetches it.
    public func reportWritten() {
        lock.lock()
        reportVersion += 1
        let text = Self.reportMessage(reportVersion)
        let targets = Array(clients.values)
        lock.unlock()
        for client in targets { client.yield(.text(text)) }
    }

    /// Ends every page's connection (the watcher is stopping).
    public func closeAll() {
        lock.lock()
        let targets = Array(clients.values)
        clients.removeAll()
        lock.unlock()
        for client in targets { client.finish() }
    }

    func connect() -> (UUID, AsyncStream<WSMessage>) {
        let id = UUID()
        let (stream, continuation) = AsyncStream<WSMessage>.makeStream(bufferingPolicy: .bufferingNewest(64))
        lock.lock()
        clients[id] = continuation
        let greeting = [Self.json(lastStatus), Self.reportMessage(reportVersion)]
        lock.unlock()
        for text in greeting { continuation.yield(.text(text)) }
        return (id, stream)
    }

    func disconnect(_ id: UUID) {
        lock.lock()
        let client = clients.removeValue(forKey: id)
        lock.unlock()
        client?.finish()
    }

    private static func reportMessage(_ version: Int) -> String { "{\"type\":\"report\",\"version\":\(version)}" }

    private static func json(_ status: Status) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(status)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// One page's WebSocket: what it sends is read and dropped (a page only listens); what the
/// hub says goes out until either side closes.
struct LiveSocketHandler: WSMessageHandler {
    let updates: LiveUpdates

    func makeMessages(for client: AsyncStream<WSMessage>) async throws -> AsyncStream<WSMessage> {
        let (id, outgoing) = updates.connect()
        let updates = updates
        Task {
            for await _ in client {}
            updates.disconnect(id)
        }
        return outgoing
    }
}
