import Foundation

/// Reads small files nbrun wrote itself (records, the marker) without trusting what is at
/// the path now: a link is refused (`O_NOFOLLOW`), a FIFO or device is refused before the
/// first read (`O_NONBLOCK`, then `fstat`), and a file larger than `limit` is refused
/// instead of loaded, so an edited or planted file cannot hang nbrun or exhaust its memory.
enum RegularFile {
    static func read(at url: URL, limit: Int) throws(StorageError) -> Data {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)
        guard descriptor >= 0 else {
            if errno == ELOOP { throw .notARegularFile(path: url.path, kind: FileKind.symbolicLink.description) }
            throw .cannotRead(path: url.path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw .cannotRead(path: url.path, reason: String(cString: strerror(errno)))
        }
        let kind = FileKind(info)
        guard case .regular(let size) = kind else { throw .notARegularFile(path: url.path, kind: kind.description) }
        guard size <= limit else {
            throw .cannotRead(path: url.path, reason: "\(size) bytes, more than the \(limit) a file of this kind may have")
        }
        var data = Data(count: size)
        var offset = 0
        let failure: Int32? = data.withUnsafeMutableBytes { buffer -> Int32? in
            while offset < size {
                let count = Foundation.read(descriptor, buffer.baseAddress! + offset, size - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno  // EAGAIN included: retrying a special file would spin
                }
                if count == 0 { break }
                offset += count
            }
            return nil
        }
        if let failure { throw .cannotRead(path: url.path, reason: String(cString: strerror(failure))) }
        return data.prefix(offset)
    }
}
