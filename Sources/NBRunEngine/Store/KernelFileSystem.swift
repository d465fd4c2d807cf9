import Foundation

/// The kernel's own file systems (`/proc`, `/sys`) show "regular" files that are
/// not data: `/proc/kmsg` blocks, or consumes the kernel log, on every read; others change
/// between two reads. Hashing one as a `.path` parameter would hang nbrun or make the stage
/// stale on every run, so such a file is refused by name before its first read.
enum KernelFileSystem {
    /// The folders those file systems are mounted at. (Swift's Glibc module has no `fstatfs`,
    /// so the file is told by where it is, not by its file system's magic number.)
    static let roots = ["/proc", "/sys"]

    /// True when the open file `descriptor` lies under one of ``roots``: its real path, as the
    /// kernel names the open file (so a link or `..` leading there is caught too).
    static func holds(_ descriptor: Int32) -> Bool {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/fd/\(descriptor)", &buffer, buffer.count - 1)
        guard count > 0 else { return false }
        let path = String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return roots.contains { path == $0 || path.hasPrefix($0 + "/") }
    }

    static let kind = "a file of the kernel's /proc or /sys interface (it may block, or change, on every read)"

    /// Why a read of a regular file came back with EAGAIN: only a special file does that.
    static let wouldBlock = "reading it would block (a special file, not data)"
}
