import Foundation

/// Puts one file's bytes at a second path without writing them twice: a hard link where
/// both paths are on one file system (the cache's deduplication and the output folder's
/// view of the last run rely on it), a streamed copy where they are not (a cache folder on
/// another disk or a shared file system). The destination must not exist; a link is never
/// followed at either end.
enum FileLinking {
    /// Links `source` at `destination`, or copies it when a link cannot cross file systems.
    static func linkOrCopy(_ source: String, to destination: String) throws(StorageError) {
        if link(source, destination) == 0 { return }
        let failure = errno
        // EXDEV: another file system; EPERM/EMLINK: file systems or files that refuse more links.
        guard failure == EXDEV || failure == EPERM || failure == EMLINK || failure == ENOTSUP else {
            throw .cannotWrite(path: destination, reason: String(cString: strerror(failure)))
        }
        try copy(source, to: destination)
    }

    /// Copies in blocks (never the whole file in memory), flushed before returning, so a
    /// rename that follows publishes complete bytes.
    static func copy(_ source: String, to destination: String) throws(StorageError) {
        let input = open(source, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard input >= 0 else { throw .cannotRead(path: source, reason: String(cString: strerror(errno))) }
        defer { close(input) }
        var info = stat()
        guard fstat(input, &info) == 0, case .regular = FileKind(info) else {
            throw .notARegularFile(path: source, kind: FileKind(info).description)
        }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard output >= 0 else { throw .cannotWrite(path: destination, reason: String(cString: strerror(errno))) }
        var failure: StorageError?
        let blockSize = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 16)
        defer { buffer.deallocate() }
        copying: while true {
            let count = read(input, buffer, blockSize)
            if count < 0 {
                if errno == EINTR { continue }
                failure = .cannotRead(path: source, reason: errno == EAGAIN ? KernelFileSystem.wouldBlock : String(cString: strerror(errno)))
                break
            }
            if count == 0 { break }
            var offset = 0
            while offset < count {
                let written = write(output, buffer + offset, count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else {
                    failure = .cannotWrite(path: destination, reason: String(cString: strerror(errno)))
                    break copying
                }
                offset += written
            }
        }
        if failure == nil, fsync(output) != 0 { failure = .cannotWrite(path: destination, reason: String(cString: strerror(errno))) }
        close(output)
        if let failure {
            unlink(destination)
            throw failure
        }
    }

    /// True when both paths are on one file system (or either is missing): where links can
    /// join the output folder's view to the cache.
    static func sameFileSystem(_ first: String, _ second: String) -> Bool {
        var a = stat(), b = stat()
        guard lstat(first, &a) == 0, lstat(second, &b) == 0 else { return true }
        return a.st_dev == b.st_dev
    }

    /// True when both paths name the same file (one inode), without following links: how a
    /// run tells, without reading it, that the output folder already shows a cached variant.
    static func sameFile(_ first: String, _ second: String) -> Bool {
        var a = stat(), b = stat()
        guard lstat(first, &a) == 0, lstat(second, &b) == 0 else { return false }
        return a.st_ino == b.st_ino && a.st_dev == b.st_dev
    }
}
