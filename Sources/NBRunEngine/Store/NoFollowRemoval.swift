import Foundation

/// Deletion that never follows a symbolic link: every step works on an open folder
/// descriptor (`openat` with `O_NOFOLLOW`, `fstatat` without following, `unlinkat`), so a
/// link planted anywhere in a tree nbrun deletes is removed as a link and its target is
/// never entered, and swapping a folder for a link between two steps cannot redirect the
/// deletion elsewhere. Only for trees that are nbrun's own (its work folders, a stage's
/// committed folder after its contents were checked).
public enum NoFollowRemoval {
    /// Deeper trees are refused rather than walked: each level holds a descriptor, and
    /// nbrun itself never nests its own folders more than a few levels.
    static let maximumDepth = 64

    /// Removes `path`: a link or file is unlinked, a folder is emptied (recursively, never
    /// entering links) and removed. A missing path is not an error.
    public static func removeTree(atPath path: String) throws(StorageError) {
        let url = URL(fileURLWithPath: path)
        let parentPath = url.deletingLastPathComponent().path
        let parent = open(parentPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard parent >= 0 else {
            if errno == ENOENT { return }
            throw .cannotWrite(path: path, reason: "cannot open its folder: \(String(cString: strerror(errno)))")
        }
        defer { close(parent) }
        try remove(url.lastPathComponent, in: parent, path: path, depth: 0)
    }

    /// Removes `name` inside the folder open as `parent` (the same rules as `removeTree`).
    static func remove(_ name: String, in parent: Int32, path: String, depth: Int) throws(StorageError) {
        switch FileKind.of(name, in: parent) {
        case .missing:
            return
        case .directory:
            guard depth < maximumDepth else {
                throw .cannotWrite(path: path, reason: "nested more than \(maximumDepth) folders deep; not removed")
            }
            let folder = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard folder >= 0 else {
                throw .cannotWrite(path: path, reason: String(cString: strerror(errno)))
            }
            do {
                for child in try entries(of: folder, path: path) {
                    try remove(child, in: folder, path: path + "/" + child, depth: depth + 1)
                }
            } catch {
                close(folder)
                throw error
            }
            close(folder)
            guard unlinkat(parent, name, AT_REMOVEDIR) == 0 || errno == ENOENT else {
                throw .cannotWrite(path: path, reason: String(cString: strerror(errno)))
            }
        default:
            guard unlinkat(parent, name, 0) == 0 || errno == ENOENT else {
                throw .cannotWrite(path: path, reason: String(cString: strerror(errno)))
            }
        }
    }

    /// Unlinks `name` in the folder open as `parent` only when it is a regular file; a link,
    /// folder or device someone put there is left alone. True when it was removed.
    package static func unlinkFile(_ name: String, in parent: Int32) -> Bool {
        guard FileKind.of(name, in: parent).isRegularFile else { return false }
        return unlinkat(parent, name, 0) == 0
    }

    /// The names in the folder open as `folder`, without `.` and `..`.
    static func entries(of folder: Int32, path: String) throws(StorageError) -> [String] {
        let copy = dup(folder)
        guard copy >= 0, let stream = fdopendir(copy) else {
            if copy >= 0 { close(copy) }
            throw .cannotRead(path: path, reason: String(cString: strerror(errno)))
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// The names in the folder at `path` (opened without following a final link), or nil
    /// when it is not a folder.
    public static func entries(ofFolderAt path: String) -> [String]? {
        let folder = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard folder >= 0 else { return nil }
        defer { close(folder) }
        return try? entries(of: folder, path: path)
    }
}
