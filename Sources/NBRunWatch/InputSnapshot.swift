import Foundation

/// The files a watched notebook reads, each by what `stat` says of it (device, inode, size,
/// modification and change times). Two snapshots differ exactly when a file was written,
/// replaced (an editor's save by rename gives a new inode), added or removed. A burst of
/// events that leaves every file as it was (a format-on-save writing the same bytes keeps
/// them apart by time only if it wrote) gives no rerun, and neither does anything written
/// to the excluded folders: the output folder and the cache.
public struct InputSnapshot: Equatable, Sendable {
    public struct Signature: Equatable, Sendable {
        var device: UInt64, inode: UInt64, size: Int64, modified: Int64, changed: Int64
    }

    public private(set) var files: [String: Signature] = [:]

    /// Far more than a notebook's inputs; a data folder beyond it is watched up to the cap.
    public static let maximumEntries = 50_000

    /// `roots`: files and folders (a folder counts with every file below it, hidden entries
    /// aside); `excluding`: folders whose contents never count; `swiftOnly`: folders of which
    /// only the `.swift` files count (a notebook's code: an editor's backup or autosave file
    /// beside a stage is not code).
    public static func take(roots: [String], excluding: [String], swiftOnly: [String] = []) -> InputSnapshot {
        var snapshot = InputSnapshot()
        let excluded = excluding.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
        let codeOnly = swiftOnly.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
        // A root itself always counts (a manifest in its notebook's code folder); what the walk
        // finds in a code folder counts when it is Swift.
        var pending = roots.map { (path: $0, found: false) }
        var seen = 0
        while let (path, found) = pending.popLast(), seen < maximumEntries {
            seen += 1
            if excluded.contains(where: { (path + "/").hasPrefix($0) }) { continue }
            let inCode = found && codeOnly.contains { path.hasPrefix($0) }
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }
            switch status.st_mode & S_IFMT {
            case S_IFDIR:
                guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { continue }
                for name in names where !name.hasPrefix(".") { pending.append((path + "/" + name, true)) }
            case S_IFLNK:
                // A data link counts by what it points at, and by the link itself.
                snapshot.files[path + " ->"] = Signature(status)
                var target = stat()
                if stat(path, &target) == 0 {
                    if target.st_mode & S_IFMT == S_IFDIR {
                        if let names = try? FileManager.default.contentsOfDirectory(atPath: path) {
                            for name in names where !name.hasPrefix(".") { pending.append((path + "/" + name, true)) }
                        }
                    } else {
                        snapshot.files[path] = Signature(target)
                    }
                }
            default:
                if inCode, !path.hasSuffix(".swift") { continue }
                snapshot.files[path] = Signature(status)
            }
        }
        return snapshot
    }

    /// The paths that differ between two snapshots (added, removed or changed), sorted.
    public func changes(since earlier: InputSnapshot) -> [String] {
        var changed = Set<String>()
        for (path, signature) in files where earlier.files[path] != signature { changed.insert(path) }
        for path in earlier.files.keys where files[path] == nil { changed.insert(path) }
        return changed.map { $0.hasSuffix(" ->") ? String($0.dropLast(3)) : $0 }.sorted()
    }
}

extension InputSnapshot.Signature {
    init(_ status: stat) {
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        size = Int64(status.st_size)
        modified = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
        changed = Int64(status.st_ctim.tv_sec) * 1_000_000_000 + Int64(status.st_ctim.tv_nsec)
    }
}
