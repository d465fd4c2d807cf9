import Foundation

/// What a path is, asked with `lstat` so a final symbolic link is seen as a link and never
/// followed. Every decision nbrun takes before writing, replacing or deleting starts here:
/// a link or a FIFO planted where nbrun expects its own file must never be written through,
/// emptied or read until end of file.
public enum FileKind: Sendable, Equatable, CustomStringConvertible {
    case missing
    case regular(size: Int)
    case directory
    case symbolicLink
    case fifo
    case characterDevice
    case blockDevice
    case socket
    /// `lstat` failed for another reason than "does not exist" (permissions, a loop, a long name).
    case unreadable(reason: String)

    /// The kind of `path` itself (a link is reported as a link).
    public static func of(_ path: String) -> FileKind {
        var info = stat()
        guard lstat(path, &info) == 0 else { return failure(errno) }
        return FileKind(info)
    }

    /// The kind of whatever `path` finally names, links followed (for paths a user chose).
    public static func following(_ path: String) -> FileKind {
        var info = stat()
        guard stat(path, &info) == 0 else { return failure(errno) }
        return FileKind(info)
    }

    /// The kind of `name` inside the folder open as `directory`, never following a link.
    static func of(_ name: String, in directory: Int32) -> FileKind {
        var info = stat()
        guard fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return failure(errno) }
        return FileKind(info)
    }

    init(_ info: stat) {
        switch info.st_mode & S_IFMT {
        case S_IFREG: self = .regular(size: Int(info.st_size))
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symbolicLink
        case S_IFIFO: self = .fifo
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        case S_IFSOCK: self = .socket
        default: self = .unreadable(reason: "unknown file type")
        }
    }

    private static func failure(_ code: Int32) -> FileKind {
        code == ENOENT || code == ENOTDIR ? .missing : .unreadable(reason: String(cString: strerror(code)))
    }

    public var isRegularFile: Bool { if case .regular = self { true } else { false } }
    public var isDirectory: Bool { self == .directory }
    public var exists: Bool { self != .missing }

    /// "a symbolic link", "a FIFO", … for messages that say what is in the way.
    public var description: String {
        switch self {
        case .missing: return "missing"
        case .regular: return "a regular file"
        case .directory: return "a folder"
        case .symbolicLink: return "a symbolic link"
        case .fifo: return "a FIFO (named pipe)"
        case .characterDevice: return "a character device"
        case .blockDevice: return "a block device"
        case .socket: return "a socket"
        case .unreadable(let reason): return "unreadable (\(reason))"
        }
    }
}
