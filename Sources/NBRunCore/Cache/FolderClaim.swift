import Foundation

/// The output folder one process made nbrun's, and how: created by its own `mkdir`, or
/// adopted while empty by its own marker. A run that stops before writing anything worth
/// keeping takes back exactly what it claimed (``OutputFolder/withdraw(_:cacheRoot:)``), so
/// the folder's identity (device and inode) is kept: after a `clean` and another process's
/// run, the same path may be a different folder that this one must not touch. (A removed
/// folder's inode number may be reused, so this is a guard, not the protection: that is
/// the locks held while withdrawing and the check that only nbrun's empty skeleton is there.)
public struct FolderClaim: Sendable, Equatable {
    public enum How: Sendable, Equatable {
        /// This process's `mkdir` made the folder.
        case created
        /// The folder existed, empty; this process's marker made it nbrun's.
        case adopted
    }

    public let how: How
    let device: UInt64
    let inode: UInt64

    /// The claim on the folder now at `path`; nil when nothing (or not a folder) is there.
    init?(_ how: How, path: String) {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return nil }
        self.how = how
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }

    /// Whether the folder open at `descriptor` is the one claimed.
    func isFolder(open descriptor: Int32) -> Bool {
        var info = stat()
        return fstat(descriptor, &info) == 0 && UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }
}
