import Foundation

extension OutputFolder {
    /// What ``withdraw(_:cacheRoot:)`` did.
    public enum Withdrawal: Sendable, Equatable {
        /// Nothing: the folder holds more than an empty claim, or is not the folder claimed.
        case kept
        /// The folder, which nbrun had created, is gone.
        case removedFolder
        /// What nbrun added is gone; the folder, which existed before, is empty again.
        case emptiedFolder
    }

    /// Takes back a claim that came to nothing: a run that stops before any stage wrote
    /// anything (a device or a FIFO given as data, a damaged cache, Ctrl-C) would otherwise
    /// leave a folder holding only nbrun's marker, lock and empty cache folders, made for a
    /// typo. Only that skeleton is removed, by name, without following links: anything else
    /// in the folder (a result, a report, a file of the user's, a folder that is not empty)
    /// keeps everything as it is. The folder itself goes when nbrun created it; an adopted
    /// one is left empty, as it was.
    ///
    /// Call holding the output lock and the cache's run lock exclusive, so that no other
    /// process uses the folder; the lock file goes last, while still held (as in `clean`).
    func withdraw(_ claim: FolderClaim, cacheRoot: URL) -> Withdrawal {
        let folder = open(url.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard folder >= 0 else { return .kept }
        defer { close(folder) }
        guard claim.isFolder(open: folder), let names = try? NoFollowRemoval.entries(of: folder, path: url.path) else { return .kept }
        let ownCache = cacheRoot.standardizedFileURL.path == url.appendingPathComponent(Self.cacheName).standardizedFileURL.path
        var emptyFolders: [String] = []
        for name in names {
            switch name {
            case Self.markerName, Self.lockName:
                guard FileKind.of(name, in: folder).isRegularFile else { return .kept }
            case Self.cacheName where ownCache:
                guard Self.cacheSkeleton(in: folder, path: url.path + "/" + name) != nil else { return .kept }
            case ".staging", ".trash", ".resume":
                guard Self.isEmptyFolder(name, in: folder) else { return .kept }
                emptyFolders.append(name)
            default:
                return .kept
            }
        }
        if names.contains(Self.cacheName) {
            guard let skeleton = Self.cacheSkeleton(in: folder, path: url.path + "/" + Self.cacheName) else { return .kept }
            // Deepest first: the run lock's file, then the folders it emptied.
            if skeleton.hasRunLock, unlinkat(folder, Self.cacheName + "/locks/" + RunLock.fileName, 0) != 0 { return .kept }
            for inner in skeleton.folders.sorted(by: { $0.count > $1.count }) {
                guard unlinkat(folder, Self.cacheName + "/" + inner, AT_REMOVEDIR) == 0 else { return .kept }
            }
            guard unlinkat(folder, Self.cacheName, AT_REMOVEDIR) == 0 else { return .kept }
        }
        for name in emptyFolders where unlinkat(folder, name, AT_REMOVEDIR) != 0 { return .kept }
        let created = claim.how == .created || createdFolder()
        _ = unlinkat(folder, Self.markerName, 0)
        _ = unlinkat(folder, Self.lockName, 0)
        guard created else { return .emptiedFolder }
        return rmdir(url.path) == 0 ? .removedFolder : .emptiedFolder
    }

    /// What a run puts in a cache before computing anything: folders holding no file but the
    /// run lock's (`locks/run.lock`). The folders (relative to the cache, deepest last) and
    /// whether the run lock is there; nil when the cache holds anything else.
    private static func cacheSkeleton(in output: Int32, path: String) -> (folders: [String], hasRunLock: Bool)? {
        let cache = openat(output, cacheName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard cache >= 0 else { return nil }
        defer { close(cache) }
        guard let names = try? NoFollowRemoval.entries(of: cache, path: path) else { return nil }
        var folders: [String] = []
        var hasRunLock = false
        for name in names {
            guard FileKind.of(name, in: cache).isDirectory else { return nil }
            let inner = openat(cache, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard inner >= 0 else { return nil }
            defer { close(inner) }
            guard let contents = try? NoFollowRemoval.entries(of: inner, path: path + "/" + name) else { return nil }
            if name == "locks", contents == [RunLock.fileName], FileKind.of(RunLock.fileName, in: inner).isRegularFile {
                hasRunLock = true
            } else if !contents.isEmpty {
                return nil
            }
            folders.append(name)
        }
        return (folders, hasRunLock)
    }

    private static func isEmptyFolder(_ name: String, in folder: Int32) -> Bool {
        let inner = openat(folder, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard inner >= 0 else { return false }
        defer { close(inner) }
        return (try? NoFollowRemoval.entries(of: inner, path: name))?.isEmpty == true
    }
}
