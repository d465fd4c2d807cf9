import Crypto
import Foundation
import SafeText

/// SHA-256 of files and folders, for artifacts and for the data a `.path` parameter names.
///
/// Only regular files are read. A FIFO, a device such as `/dev/zero` or a socket never
/// reaches end of file (or blocks on open), so each is refused by name instead of hashed:
/// files are opened with `O_NONBLOCK` and checked with `fstat` before the first read.
public enum ContentHash {
    /// How a file is opened: artifacts must be the file nbrun wrote, never a link planted in
    /// its place; a path a user named (and files inside a named folder) may be a link to a
    /// regular file elsewhere.
    public enum Links: Sendable {
        case refuse
        case follow
    }

    /// Folders nested deeper than this are refused: the walk recurses once per level.
    static let maximumFolderDepth = 256

    /// Hex SHA-256 of a regular file's bytes, read in chunks so large data never sits in memory twice.
    public static func ofFile(at url: URL, links: Links = .refuse) throws(StorageError) -> String {
        let flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | (links == .refuse ? O_NOFOLLOW : 0)
        let descriptor = open(url.path, flags)
        guard descriptor >= 0 else {
            if errno == ELOOP, links == .refuse { throw .notARegularFile(path: url.path, kind: FileKind.symbolicLink.description) }
            throw .cannotRead(path: url.path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw .cannotRead(path: url.path, reason: String(cString: strerror(errno)))
        }
        let kind = FileKind(info)
        guard kind.isRegularFile else { throw .notARegularFile(path: url.path, kind: kind.description) }
        if KernelFileSystem.holds(descriptor) { throw .notARegularFile(path: url.path, kind: KernelFileSystem.kind) }

        var hasher = SHA256()
        let chunkSize = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer.baseAddress, chunkSize)
            if count < 0 {
                if errno == EINTR { continue }
                // A regular file never says "try again": retrying would spin for ever.
                if errno == EAGAIN { throw .cannotRead(path: url.path, reason: KernelFileSystem.wouldBlock) }
                throw .cannotRead(path: url.path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
        return hasher.finalize().hexString
    }

    /// For a file, its content hash; for a folder, a hash over every file's relative path
    /// and content, recursively and in sorted order (so renaming a file inside counts too).
    ///
    /// Inside a folder, a symbolic link to a folder (or a dangling one) counts as the link
    /// text, not as what it points to: following it could loop (a link to `..`) or walk the
    /// whole disk (a link to `/`). A link to a regular file counts as the file's content. A
    /// FIFO, device or socket, or a link to one, is refused by name. A sub-folder carrying
    /// nbrun's output marker is left out: it is some notebook's output, rewritten by runs,
    /// and counting it would make a notebook whose output sits inside its data stale forever.
    public static func ofItem(at url: URL) throws(StorageError) -> String {
        switch FileKind.following(url.path) {
        case .missing:
            throw .cannotRead(path: url.path, reason: "no such file or folder")
        case .directory:
            var lines: [String] = []
            try collect(folder: url.resolvingSymlinksInPath(), prefix: "", depth: 0, into: &lines)
            return SHA256.hash(data: Data(lines.sorted().joined(separator: "\n").utf8)).hexString
        case .regular:
            return try ofFile(at: url, links: .follow)
        case .unreadable(let reason):
            throw .cannotRead(path: url.path, reason: reason)
        case let other:
            throw .notARegularFile(path: url.path, kind: other.description)
        }
    }

    private static func collect(folder: URL, prefix: String, depth: Int, into lines: inout [String]) throws(StorageError) {
        guard depth < maximumFolderDepth else {
            throw .cannotRead(path: folder.path, reason: "folders nested more than \(maximumFolderDepth) deep")
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path) } catch {
            throw .cannotRead(path: folder.path, reason: (error as NSError).localizedDescription)
        }
        for name in names.sorted() {
            let child = folder.appendingPathComponent(name)
            switch FileKind.of(child.path) {
            case .regular:
                lines.append("\(prefix)\(name)\t\(try ofFile(at: child))")
            case .directory:
                if OutputFolder.isMarked(child) { continue }
                try collect(folder: child, prefix: prefix + name + "/", depth: depth + 1, into: &lines)
            case .symbolicLink:
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: child.path)) ?? ""
                switch FileKind.following(child.path) {
                case .regular:
                    lines.append("\(prefix)\(name)\t\(try ofFile(at: child, links: .follow))")
                case .directory, .missing:
                    lines.append("\(prefix)\(name)\tsymlink:\(target)")
                case .unreadable(let reason):
                    throw .cannotRead(path: child.path, reason: reason)
                case let other:
                    throw .notARegularFile(path: "\(child.path) (a link to \(target))", kind: other.description)
                }
            case .missing:
                continue  // removed while we were reading the folder
            case .unreadable(let reason):
                throw .cannotRead(path: child.path, reason: reason)
            case let other:
                throw .notARegularFile(path: child.path, kind: other.description)
            }
        }
    }
}

extension SHA256Digest {
    var hexString: String { Hex.string(self) }
}
