import Foundation

/// Which files the live server may send: regular files under the output folder (the report,
/// its assets, the stages' figures and artifacts), reached through nbrun's own links into the
/// variant cache. Everything else is refused before a byte is read: a path with `..`, an
/// empty or hidden component (`.cache`, `.lock`, the marker), a NUL or a backslash; a
/// symbolic link that leads out of the output folder and the cache; a FIFO, a device or a
/// folder; a file larger than ``maximumSize``.
public struct ServedFiles: Sendable {
    public var outputFolder: URL
    public var cacheFolder: URL

    /// Figures and artifacts are small; the cap keeps a hostile link to a huge file from
    /// filling memory.
    public static let maximumSize = 256 << 20

    public init(outputFolder: URL, cacheFolder: URL) {
        self.outputFolder = outputFolder
        self.cacheFolder = cacheFolder
    }

    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case badPath(String)
        case notFound(String)
        case outsideTheOutputFolder(String)
        case notARegularFile(String)
        case tooLarge(String, size: Int)

        /// 400 for a path no page of nbrun's asks for, 403 for a link out, 404 otherwise.
        public var status: Int {
            switch self {
            case .badPath: 400
            case .outsideTheOutputFolder: 403
            case .notFound, .notARegularFile, .tooLarge: 404
            }
        }

        public var description: String {
            switch self {
            case .badPath(let path): "refused: \(path) is not a path in the output folder"
            case .notFound(let path): "no file \(path) in the output folder"
            case .outsideTheOutputFolder(let path): "refused: \(path) leads out of the output folder"
            case .notARegularFile(let path): "refused: \(path) is not a regular file"
            case .tooLarge(let path, let size): "refused: \(path) is \(size) bytes, more than the server sends"
            }
        }
    }

    /// The components of a request path (already percent-decoded), or why it is refused.
    public static func components(of requestPath: String) throws(Refusal) -> [String] {
        guard requestPath.hasPrefix("/"), requestPath.utf8.count <= 4096,
              !requestPath.contains("\0"), !requestPath.contains("\\") else { throw .badPath(requestPath) }
        let parts = requestPath.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") && $0.utf8.count <= 255 }) else {
            throw .badPath(requestPath)
        }
        return parts
    }

    /// The bytes of the file the request path names.
    public func read(_ requestPath: String) throws(Refusal) -> Data {
        let parts = try Self.components(of: requestPath)
        let joined = parts.reduce(outputFolder) { $0.appendingPathComponent($1) }
        guard let resolved = Self.realPath(joined.path) else { throw .notFound(requestPath) }
        let roots = [outputFolder, cacheFolder].compactMap { Self.realPath($0.path) }
        guard roots.contains(where: { resolved.hasPrefix($0 + "/") }) else { throw .outsideTheOutputFolder(requestPath) }
        // Opened without following a last link (there is none left after realpath, unless one
        // was swapped in since) and without blocking on a FIFO.
        let descriptor = open(resolved, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw errno == ELOOP ? .outsideTheOutputFolder(requestPath) : .notFound(requestPath) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { throw .notARegularFile(requestPath) }
        let size = Int(status.st_size)
        guard size <= Self.maximumSize else { throw .tooLarge(requestPath, size: size) }
        var data = Data(count: size)
        var offset = 0
        while offset < size {
            let count = data.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + offset, size - offset, off_t(offset)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            offset += count
        }
        return data.prefix(offset)
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The media type a browser needs to show the file, by its extension; anything else is
    /// sent as bytes to download, never sniffed into a page.
    public static func contentType(of path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "png": "image/png"
        case "svg": "image/svg+xml"
        case "jpg", "jpeg": "image/jpeg"
        case "woff2": "font/woff2"
        case "woff": "font/woff"
        case "ttf": "font/ttf"
        case "md", "txt", "csv", "log": "text/plain; charset=utf-8"
        case "json": "application/json"
        default: "application/octet-stream"
        }
    }
}
