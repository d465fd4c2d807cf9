import Foundation

/// An `flock` that this process holds on one open lock file, shared by nbrun's three locks
/// (``OutputLock``, ``FingerprintLock``, ``RunLock``), which differ only in where the file
/// sits, how a wait is announced and which mode they take.
///
/// Opening never follows a link and never blocks (`O_NOFOLLOW | O_NONBLOCK`), and the file
/// must be a regular file: a link or FIFO planted at a lock's name is refused by name rather
/// than having its target created, truncated or locked. Waiting polls instead of blocking in
/// `flock`, so that Ctrl-C (a set ``CancellationFlag``) ends a wait at once. A lock taken on a
/// file that `clean` unlinked meanwhile protects nothing; ``isStillLinked(name:in:)`` lets
/// the caller notice and start again on the current file.
final class LockFile: @unchecked Sendable {
    enum Mode {
        case shared, exclusive
        var operation: Int32 { self == .shared ? LOCK_SH : LOCK_EX }
    }

    private(set) var descriptor: Int32
    let path: String

    /// Opens (creating it) the lock file `name` in the folder open at `folder` (or `AT_FDCWD`
    /// with an absolute `name`); `path` names it in errors.
    init(_ name: String, in folder: Int32, path: String) throws(RunError) {
        self.path = path
        descriptor = openat(folder, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o644)
        guard descriptor >= 0 else {
            if errno == ELOOP {
                throw .storage(.unexpectedEntry(path: path, kind: FileKind.symbolicLink.description, expected: "its lock file"))
            }
            throw .storage(.cannotWrite(path: path, reason: String(cString: strerror(errno))))
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, case .regular = FileKind(info) else {
            release()
            throw .storage(.unexpectedEntry(path: path, kind: FileKind(info).description, expected: "its lock file"))
        }
    }

    /// One attempt: true when the lock is now held, false when another open file holds a
    /// conflicting one.
    func tryLock(_ mode: Mode) throws(RunError) -> Bool {
        while flock(descriptor, mode.operation | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            if errno == EWOULDBLOCK { return false }
            throw .storage(.cannotWrite(path: path, reason: "cannot lock: \(String(cString: strerror(errno)))"))
        }
        return true
    }

    /// Polls until the lock is held. A set `cancellation` ends the wait with
    /// `RunError.interrupted(path: interruptedPath)`, nothing having been changed.
    func waitForLock(_ mode: Mode, every interval: useconds_t, cancellation: CancellationFlag?, interruptedPath: String) throws(RunError) {
        while try !tryLock(mode) {
            if cancellation?.isCancelled == true { throw .interrupted(path: interruptedPath) }
            usleep(interval)
        }
    }

    /// True while the file this lock is on is still the one linked at `name` in `folder`.
    func isStillLinked(name: String, in folder: Int32) -> Bool {
        var opened = stat(), current = stat()
        guard fstat(descriptor, &opened) == 0, fstatat(folder, name, &current, AT_SYMLINK_NOFOLLOW) == 0 else { return false }
        return opened.st_ino == current.st_ino && opened.st_dev == current.st_dev
    }

    /// Unlocks and closes; closing alone would release it too, but not while a forked child
    /// still shared the descriptor.
    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}

extension LockFile {
    /// Opens `components[0]` (a cache root, reached however the caller reaches it) and then
    /// each folder below it relative to the one above, without following links, creating
    /// missing ones. A link or non-folder on the way is refused by name.
    static func openFolders(_ components: [String]) throws(RunError) -> Int32 {
        var path = components[0]
        var folder = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
        if folder < 0, errno == ENOENT {
            _ = mkdir(path, 0o755)
            folder = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
        }
        guard folder >= 0 else { throw refusal(path) }
        for name in components.dropFirst() {
            path += "/" + name
            if mkdirat(folder, name, 0o755) != 0, errno != EEXIST {
                let reason = String(cString: strerror(errno))
                close(folder)
                throw .storage(.cannotCreate(path: path, reason: reason))
            }
            let next = openat(folder, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
            let failure = errno
            close(folder)
            guard next >= 0 else { errno = failure; throw refusal(path) }
            folder = next
        }
        return folder
    }

    private static func refusal(_ path: String) -> RunError {
        if errno == ELOOP || errno == ENOTDIR {
            let kind = FileKind.of(path)
            return .storage(.unexpectedEntry(path: path, kind: kind.description, expected: "its cache folder \(URL(fileURLWithPath: path).lastPathComponent)"))
        }
        return .storage(.cannotCreate(path: path, reason: String(cString: strerror(errno))))
    }
}
