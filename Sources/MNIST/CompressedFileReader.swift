internal import CZlib
import Foundation

/// Reads a whole file through zlib's gz* API, which inflates gzip data and passes
/// anything else through untouched; the caller says whether gzip is required.
enum CompressedFileReader {
    /// The largest decompressed file accepted. The biggest MNIST file is 47 040 016
    /// bytes; the limit leaves room for similar data sets while refusing gzip bombs.
    static let maximumDecompressedSize = 256 << 20

    static func readAll(
        at path: String, requireGzip: Bool, limit: Int = maximumDecompressedSize
    ) throws(MNISTError) -> [UInt8] {
        // Only regular files: a directory fails on read, but a FIFO would block forever.
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw .unreadable(path: path, reason: "not a regular file")
        }
        guard let file = gzopen(path, "rb") else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { gzclose(file) }
        gzbuffer(file, 1 << 17)

        // A raw growing buffer: no per-element work while doubling, even in debug builds.
        var capacity = 1 << 16
        var used = 0
        guard var buffer = malloc(capacity) else { throw .tooLarge(path: path, limit: limit) }
        defer { free(buffer) }
        while true {
            if used == capacity {
                guard capacity <= limit else { throw .tooLarge(path: path, limit: limit) }
                capacity = min(capacity * 2, limit + 1)
                guard let grown = realloc(buffer, capacity) else { throw .tooLarge(path: path, limit: limit) }
                buffer = grown
            }
            let read = gzread(file, buffer + used, UInt32(min(capacity - used, 1 << 30)))
            if read < 0 { throw readError(file, path: path) }
            if used == 0 && requireGzip && gzdirect(file) != 0 {
                let start = buffer.assumingMemoryBound(to: UInt8.self)
                throw .notGzip(path: path, firstBytes: Array(UnsafeBufferPointer(start: start, count: min(Int(read), 4))))
            }
            if read == 0 { break }
            used += Int(read)
            if used > limit { throw .tooLarge(path: path, limit: limit) }
        }
        // A truncated stream can end a read cleanly and only report the error afterwards.
        var zlibStatus: Int32 = 0
        _ = gzerror(file, &zlibStatus)
        if zlibStatus != Z_OK { throw readError(file, path: path) }
        if used == 0 && requireGzip { throw .notGzip(path: path, firstBytes: []) }

        return Array(UnsafeBufferPointer(start: buffer.assumingMemoryBound(to: UInt8.self), count: used))
    }

    private static func readError(_ file: gzFile, path: String) -> MNISTError {
        var status: Int32 = 0
        let message = String(cString: gzerror(file, &status))
        switch status {
        case Z_BUF_ERROR: return .truncatedCompressedData(path: path)
        case Z_DATA_ERROR: return .corruptCompressedData(path: path, detail: message)
        case Z_ERRNO: return .unreadable(path: path, reason: String(cString: strerror(errno)))
        default: return .unreadable(path: path, reason: message.isEmpty ? "zlib error \(status)" : message)
        }
    }
}
