import Foundation

/// Folders nbrun must never treat as an output folder, whatever the manifest or `--output`
/// says: a shared notebook's `output: ..` or an unset shell variable must not make nbrun
/// write into, or clean, the user's home, the notebook's own repository or `/`.
///
/// Paths are compared after resolving symbolic links (`realpath` of the longest existing
/// prefix), so `--output link-to-root` is caught like `--output /`.
public enum OutputTargetCheck {
    public static func check(_ output: URL, manifestFolder: URL, currentDirectory: URL) throws(StorageError) {
        guard !output.path.isEmpty else { throw .emptyOutputPath }
        let target = resolved(output.path)
        func refuse(_ reason: String) -> StorageError { .dangerousOutput(path: output.path, reason: reason) }
        if target == "/" { throw refuse("it is the root folder") }
        for home in homeFolders() where target == home {
            throw refuse("it is the home folder")
        }
        let manifest = resolved(manifestFolder.path)
        if target == manifest { throw refuse("it is the manifest's own folder") }
        if let root = repositoryRoot(containing: manifest), target == root {
            throw refuse("it is the root of the repository that holds the manifest (\(root))")
        }
        if isAncestor(target, of: manifest) { throw refuse("it is a folder above the manifest (\(manifest))") }
        if let root = repositoryRoot(containing: resolved(currentDirectory.path)), target == root {
            throw refuse("it is the root of the repository of the current folder (\(root))")
        }
        if target.split(separator: "/").contains(".git") { throw refuse("it is inside a .git folder") }
    }

    /// The path with every symbolic link resolved, as far as it exists; the rest appended.
    static func resolved(_ path: String) -> String {
        // Only an absolute path walks up to `/`. A relative one (the working folder was deleted,
        // so nothing could make it absolute) would grow `..` after `..` for ever: taken as it is.
        guard path.hasPrefix("/") else { return path }
        var existing = URL(fileURLWithPath: path).standardizedFileURL
        var rest: [String] = []
        while true {
            if let real = realpath(existing.path, nil) {
                defer { free(real) }
                var result = String(cString: real)
                for component in rest.reversed() {
                    result = result == "/" ? "/" + component : result + "/" + component
                }
                return result
            }
            let parent = existing.deletingLastPathComponent()
            if parent.path == existing.path { return path }
            rest.append(existing.lastPathComponent)
            existing = parent
        }
    }

    static func isAncestor(_ folder: String, of path: String) -> Bool {
        folder == "/" || path.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/")
    }

    /// The nearest folder at or above `path` that holds `.git` (a folder, or a worktree's file).
    static func repositoryRoot(containing path: String) -> String? {
        guard path.hasPrefix("/") else { return nil }
        var folder = URL(fileURLWithPath: path)
        while true {
            if FileKind.of(folder.appendingPathComponent(".git").path).exists { return folder.path }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { return nil }
            folder = parent
        }
    }

    static func homeFolders() -> Set<String> {
        var homes: Set<String> = []
        if let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty { homes.insert(resolved(home)) }
        if let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir {
            let home = String(cString: directory)
            if !home.isEmpty { homes.insert(resolved(home)) }
        }
        return homes
    }
}
