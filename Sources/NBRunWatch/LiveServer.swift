import FlyingFox
import FlyingSocks
import Foundation

/// What the server shows: the notebook's output folder (set once the first run says where
/// it is) and its title for the page shown before the first report.
public final class LiveSite: @unchecked Sendable {
    private let lock = NSLock()
    private var files: ServedFiles?
    private var notebookTitle: String
    public let updates: LiveUpdates

    public init(title: String, updates: LiveUpdates) {
        self.notebookTitle = title
        self.updates = updates
    }

    public func serve(_ files: ServedFiles) {
        lock.lock(); defer { lock.unlock() }
        self.files = files
    }

    var served: ServedFiles? {
        lock.lock(); defer { lock.unlock() }
        return files
    }

    var title: String {
        lock.lock(); defer { lock.unlock() }
        return notebookTitle
    }
}

/// Why the server could not start.
public enum LiveServerError: Error, CustomStringConvertible {
    case portInUse(host: String, port: UInt16)
    case noFreePort(host: String, from: UInt16, to: UInt16)
    case badHost(String)
    case cannotListen(host: String, port: UInt16, reason: String)

    public var description: String {
        switch self {
        case .portInUse(let host, let port):
            "port \(port) on \(host) is in use (another nbrun watch, or another server); choose another with --port, or --port 0 for any free one"
        case .noFreePort(let host, let from, let to): "no free port on \(host) from \(from) to \(to); choose one with --port"
        case .badHost(let host): "--host '\(host)' is not an IP address of this machine (give one such as 127.0.0.1, 0.0.0.0 or ::)"
        case .cannotListen(let host, let port, let reason): "cannot listen on \(host):\(port): \(reason)"
        }
    }
}

/// The loopback HTTP server of `nbrun watch` (FlyingFox): the live page, its script and
/// socket, and the output folder's files, for GET only. Requests whose Host is not this
/// server's own address are refused (a page elsewhere cannot reach it through a DNS name
/// that points at 127.0.0.1), as are WebSocket handshakes from other origins.
public final class LiveServer: @unchecked Sendable {
    public let host: String
    let site: LiveSite
    private var server: HTTPServer?
    private var task: Task<Void, any Error>?
    public private(set) var port: UInt16 = 0

    public static let defaultPort: UInt16 = 8750
    /// How many ports after the default one are tried when it is taken.
    public static let portsTried: UInt16 = 20

    public init(host: String, site: LiveSite) {
        self.host = host
        self.site = site
    }

    /// Starts listening. With `exactPort`, a taken port is an error; otherwise the next free
    /// one is taken, and `log` says so. Port 0 takes any free port.
    public func start(port requested: UInt16, exactPort: Bool, log: (String) -> Void) throws(LiveServerError) {
        guard Self.isIPAddress(host) else { throw .badHost(host) }
        var chosen = requested
        if requested != 0 {
            let last = exactPort ? requested : requested &+ Self.portsTried
            var candidate = requested
            while true {
                switch Self.probe(host: host, port: candidate) {
                case 0: break
                case EADDRINUSE:
                    if exactPort { throw .portInUse(host: host, port: candidate) }
                    guard candidate < last, candidate < UInt16.max else { throw .noFreePort(host: host, from: requested, to: last) }
                    candidate += 1
                    continue
                case let code: throw .cannotListen(host: host, port: candidate, reason: String(cString: strerror(code)))
                }
                break
            }
            if candidate != requested { log("port \(requested) is in use; serving on \(candidate) instead") }
            chosen = candidate
        }
        let address: any SocketAddress
        do {
            address = host.contains(":") ? try sockaddr_in6.inet6(ip6: host, port: chosen) : try sockaddr_in.inet(ip4: host, port: chosen)
        } catch { throw .badHost(host) }
        let server = HTTPServer(config: HTTPServer.Configuration(address: address, timeout: 60, logger: .disabled),
                                handler: LiveRequestHandler(site: site, server: self))
        let started = Box<(any Error)?>(nil)
        let task = Task {
            do { try await server.run() } catch {
                started.value = error
                throw error
            }
        }
        let listening = Self.blocking { () async -> Bool in
            do { try await server.waitUntilListening(timeout: 5) } catch { return false }
            return true
        }
        guard listening, let bound = Self.blocking({ await server.listeningAddress }) else {
            task.cancel()
            throw .cannotListen(host: host, port: chosen, reason: started.value.map { "\($0)" } ?? "it did not start listening")
        }
        switch bound {
        case .ip4(_, let port), .ip6(_, let port): self.port = port
        default: self.port = chosen
        }
        self.server = server
        self.task = task
    }

    /// Closes the listening socket and every connection: the port is free when this returns.
    public func stop() {
        site.updates.closeAll()
        guard let server else { return }
        Self.blocking { await server.stop(timeout: 1) }
        task?.cancel()
        self.server = nil
    }

    /// The address to open, as printed.
    public var url: String {
        let shown = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        return "http://\(shown.contains(":") ? "[\(shown)]" : shown):\(port)/"
    }

    /// Host headers this server answers: its own address by number or as localhost. Any,
    /// when it listens beyond the loopback address (`--host`), where the name is the user's.
    func acceptsHost(_ header: String?) -> Bool {
        guard ["127.0.0.1", "::1", "localhost"].contains(host) else { return true }
        guard let header else { return false }
        return ["127.0.0.1:\(port)", "localhost:\(port)", "[::1]:\(port)"].contains(header.lowercased())
    }

    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    /// 0 when `host:port` can be bound now, else the errno of the attempt.
    static func probe(host: String, port: UInt16) -> Int32 {
        let family = host.contains(":") ? AF_INET6 : AF_INET
        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return errno }
        defer { close(descriptor) }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let result: Int32
        if family == AF_INET {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            inet_pton(AF_INET, host, &address.sin_addr)
            result = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        } else {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            inet_pton(AF_INET6, host, &address.sin6_addr)
            result = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        }
        return result == 0 ? 0 : errno
    }

    /// Waits for async work from synchronous code (the command's thread).
    @discardableResult
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let result = Box<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            result.value = await body()
            done.signal()
        }
        done.wait()
        return result.value!
    }
}

final class Box<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}

/// Every request, in one place: the method and Host checks first, then the page, the
/// script and stylesheet, the socket, or a file of the output folder.
struct LiveRequestHandler: HTTPHandler {
    let site: LiveSite
    let server: LiveServer

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard request.method == .GET else {
            return Self.response(405, "only GET is served\n", type: "text/plain; charset=utf-8", extra: [HTTPHeader("Allow"): "GET"])
        }
        guard server.acceptsHost(request.headers[.host]) else {
            return Self.response(421, "this server answers only to its own address\n", type: "text/plain; charset=utf-8")
        }
        let path = request.target.path(percentEncoded: false)
        let version = site.updates.reportVersion
        switch path {
        case "/", "/report.html":
            if let files = site.served, let data = try? files.read("/report.html") {
                return Self.response(200, LivePage.served(String(decoding: data, as: UTF8.self), version: version), type: "text/html; charset=utf-8")
            }
            return Self.response(200, LivePage.waiting(title: site.title, version: version), type: "text/html; charset=utf-8")
        case LivePage.reportPath:
            guard let files = site.served, let data = try? files.read("/report.html") else {
                return Self.response(404, "no report yet\n", type: "text/plain; charset=utf-8")
            }
            return Self.response(200, data, type: "text/html; charset=utf-8")
        case "/favicon.ico":
            // Browsers ask for it unprompted; nothing to show, and no error in the page's log.
            return Self.response(204, Data(), type: "image/x-icon")
        case LivePage.scriptPath:
            return Self.response(200, LivePage.script, type: "text/javascript; charset=utf-8")
        case LivePage.stylePath:
            return Self.response(200, LivePage.style, type: "text/css; charset=utf-8")
        case LivePage.socketPath:
            // A page of another origin must not listen in.
            if let origin = request.headers[HTTPHeader("Origin")], let host = request.headers[.host], origin != "http://\(host)" {
                return Self.response(403, "refused: a page of another origin\n", type: "text/plain; charset=utf-8")
            }
            return try await WebSocketHTTPHandler(handler: MessageFrameWSHandler(handler: LiveSocketHandler(updates: site.updates)))
                .handleRequest(request)
        default:
            guard let files = site.served else { return Self.response(404, "no output folder yet\n", type: "text/plain; charset=utf-8") }
            do {
                let data = try files.read(path)
                return Self.response(200, data, type: ServedFiles.contentType(of: path), policy: Self.filePolicy)
            } catch {
                return Self.response(error.status, error.description + "\n", type: "text/plain; charset=utf-8")
            }
        }
    }

    /// A file of the output folder that is itself a page (an HTML artifact) runs no script.
    static let filePolicy = "default-src 'none'; img-src 'self'; style-src 'self'; sandbox"

    static func response(_ status: Int, _ text: String, type: String, policy: String = LivePage.contentSecurityPolicy,
                         extra: [HTTPHeader: String] = [:]) -> HTTPResponse {
        response(status, Data(text.utf8), type: type, policy: policy, extra: extra)
    }

    static func response(_ status: Int, _ body: Data, type: String, policy: String = LivePage.contentSecurityPolicy,
                         extra: [HTTPHeader: String] = [:]) -> HTTPResponse {
        var headers: [HTTPHeader: String] = [
            .contentType: type,
            .cacheControl: "no-store",
            HTTPHeader("X-Content-Type-Options"): "nosniff",
            HTTPHeader("Content-Security-Policy"): policy,
            HTTPHeader("Referrer-Policy"): "no-referrer",
        ]
        for (key, value) in extra { headers[key] = value }
        let code: HTTPStatusCode = switch status {
        case 200: .ok
        case 204: HTTPStatusCode(204, phrase: "No Content")
        case 400: .badRequest
        case 403: .forbidden
        case 405: .methodNotAllowed
        case 421: .misdirectedRequest
        default: .notFound
        }
        return HTTPResponse(statusCode: code, headers: headers, body: body)
    }
}
