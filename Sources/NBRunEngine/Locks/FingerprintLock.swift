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
    private let file: LockFile
    public let url: URL

    /// How often a waiting process retries the lock and checks for Ctrl-C.
    static let pollInterval: useconds_t = 20_000

    private init(file: LockFile, url: URL) {
        self.file = file
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
            let folder = try LockFile.openFolders([cacheRoot.path, "locks", stage])
            defer { close(folder) }
            let file = try LockFile(fingerprint, in: folder, path: url.path)
            if try !file.tryLock(.exclusive) {
                guard wait else { return nil }
                if !announced { onWait() }
                announced = true
                try file.waitForLock(.exclusive, every: pollInterval, cancellation: cancellation, interruptedPath: url.path)
            }
            // `clean` may unlink the file (or the whole cache) meanwhile: a lock on a file no
            // longer linked there protects nothing, so take the current one instead.
            if file.isStillLinked(name: fingerprint, in: folder) { return FingerprintLock(file: file, url: url) }
        }
    }

    public func release() { file.release() }
}
