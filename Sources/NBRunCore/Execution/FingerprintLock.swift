import Foundation

/// An advisory `flock` on `<cache>/locks/<stage>/<fingerprint>`, held while one variant is
/// computed and added to the cache, so that two nbrun processes needing the same variant
/// compute it once (the second waits, then finds it cached), while processes computing
/// different variants of one notebook never wait for each other.
///
/// Every folder on the way and the lock file itself are opened relative to the folder above
/// with `O_NOFOLLOW`: a link planted at `locks`, `locks/<stage>` or the lock file is refused
/// by name, never followed, so no file outside nbrun's own `.cache` is created, truncated or
/// locked. The lock file stays empty; it exists only to be locked.
public final class FingerprintLock: @unchecked Sendable {
    private var descriptor: Int32
    public let url: URL

    /// How often a waiting process retries the lock and checks for Ctrl-C.
    static let pollInterval: useconds_t = 20_000

    private init(descriptor: Int32, url: URL) {
        self.descriptor = descriptor
        self.url = url
    }

    /// The lock file of `stage`'s variant `fingerprint` in the cache at `cacheRoot`.
    public static func url(cacheRoot: URL, stage: String, fingerprint: String) -> URL {
        cacheRoot.appendingPathComponent("locks", isDirectory: true)
            .appendingPathComponent(stage, isDirectory: true).appendingPathComponent(fingerprint)
    }

    /// Takes the lock, creating the folders and the file as needed. When another process holds
    /// it, calls `onWait` once and waits (polling, so that a set `cancellation` ends the wait
    /// with `RunError.interrupted`), or, with `wait == false`, returns nil.
    public static func acquire(
        cacheRoot: URL, stage: String, fingerprint: String, wait: Bool,
        cancellation: CancellationFlag?, onWait: () -> Void
    ) throws(RunError) -> FingerprintLock? {
        let url = url(cacheRoot: cacheRoot, stage: stage, fingerprint: fingerprint)
        var announced = false
        while true {
            let folder = try openFolders([cacheRoot.path, "locks", stage])
            defer { close(folder) }
            let descriptor = openat(folder, fingerprint, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o644)
            guard descriptor >= 0 else {
                if errno == ELOOP { throw .storage(.unexpectedEntry(path: url.path, kind: FileKind.symbolicLink.description, expected: "its lock file")) }
                throw .storage(.cannotWrite(path: url.path, reason: String(cString: strerror(errno))))
            }
            var info = stat()
            guard fstat(descriptor, &info) == 0, case .regular = FileKind(info) else {
                close(descriptor)
                throw .storage(.unexpectedEntry(path: url.path, kind: FileKind(info).description, expected: "its lock file"))
            }
            while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
                guard errno == EWOULDBLOCK || errno == EINTR else {
                    let reason = String(cString: strerror(errno))
                    close(descriptor)
                    throw .storage(.cannotWrite(path: url.path, reason: "cannot lock: \(reason)"))
                }
                guard wait else { close(descriptor); return nil }
                if !announced { onWait() }
                announced = true
                if cancellation?.isCancelled == true {
                    close(descriptor)
                    throw .interrupted(path: url.path)
                }
                usleep(pollInterval)
            }
            // `clean` and `gc` may unlink the file (or the whole cache) meanwhile: a lock on a
            // file no longer linked there protects nothing, so take the current one instead.
            var current = stat()
            if fstatat(folder, fingerprint, &current, AT_SYMLINK_NOFOLLOW) == 0,
               current.st_ino == info.st_ino, current.st_dev == info.st_dev {
                return FingerprintLock(descriptor: descriptor, url: url)
            }
            close(descriptor)
        }
    }

    /// Opens `path` (the cache root, reached however the output folder is) and then each
    /// folder below it without following links, creating missing ones.
    private static func openFolders(_ components: [String]) throws(RunError) -> Int32 {
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

    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
