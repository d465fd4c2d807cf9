import Foundation

/// Reads the bytes of a manifest, refusing with a precise reason anything that is not a
/// regular file of sensible size.
///
/// `Data(contentsOf:)` blocks forever on a FIFO, reads `/dev/zero` until memory runs out,
/// and reports a folder, a link loop or a device as "NSCocoaErrorDomain error 256" or as a
/// permission problem (even to root). Opening without blocking and asking `fstat` what the
/// path is lets every case say what is wrong.
enum ManifestFile {
    static func read(_ url: URL, limit: Int) throws(ManifestError) -> Data {
        let path = url.path
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unreadable(file: path, reason: reason(forOpenError: errno)) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw .unreadable(file: path, reason: String(cString: strerror(errno)))
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw .unreadable(file: path, reason: "it is \(kind(of: status.st_mode)), not a manifest file")
        }
        guard status.st_size <= limit else { throw .unreadable(file: path, reason: tooLarge(limit)) }
        // Read to the end, but never more than the limit: the file may grow while we read.
        // The buffer starts at the measured size plus one byte, to notice growth.
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size) + 1)
        var count = 0
        while count < limit + 1 {
            if count == bytes.count { bytes += [UInt8](repeating: 0, count: min(bytes.count, limit + 1 - count)) }
            let result = bytes.withUnsafeMutableBytes { buffer in
                Foundation.read(descriptor, buffer.baseAddress! + count, buffer.count - count)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw .unreadable(file: path, reason: String(cString: strerror(errno)))
            }
            if result == 0 { break }
            count += result
        }
        guard count <= limit else { throw .unreadable(file: path, reason: tooLarge(limit)) }
        return Data(bytes[0..<count])
    }

    static func tooLarge(_ limit: Int) -> String {
        "larger than \(limit) bytes, the limit for a manifest"
    }

    static func reason(forOpenError code: Int32) -> String {
        switch code {
        case ENOENT: "no such file"
        case ELOOP: "the path is a loop of symbolic links"
        case EACCES: "permission denied"
        case ENOTDIR: "a part of the path is not a folder"
        case ENAMETOOLONG: "the path is too long"
        default: String(cString: strerror(code))
        }
    }

    static func kind(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a folder"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
    }
}
