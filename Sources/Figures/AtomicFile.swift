import Foundation

/// Writes a file so that readers see either the old content or the complete new one:
/// bytes go to a temporary file in the destination folder (same file system, so the
/// final `rename` is atomic), which replaces the destination only once fully written.
enum AtomicFile {
    /// Writes at most `count` bytes from a buffer to a descriptor, like POSIX `write`:
    /// returns how many were written, or -1 with `errno` set. Tests substitute a failing one.
    typealias WriteFunction = (Int32, UnsafeRawPointer, Int) -> Int

    static func write(_ bytes: [UInt8], to path: String,
                      using writeFunction: WriteFunction = { fd, buffer, count in Foundation.write(fd, buffer, count) }
    ) throws(PNGError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var template = Array((folder + "/." + url.lastPathComponent + ".XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw .writeFailed(path: path, reason: systemReason()) }
        let temporaryPath = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)

        var failure: String?
        // mkstemp creates the file private (0600); a figure is meant to be shared like any new file.
        if fchmod(descriptor, 0o644) != 0 { failure = systemReason() }
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while failure == nil && offset < raw.count {
                let written = writeFunction(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else {
                    failure = written == 0 ? "no bytes written" : systemReason()
                    return
                }
                offset += written
            }
        }
        if failure == nil && fsync(descriptor) != 0 { failure = systemReason() }
        if close(descriptor) != 0 && failure == nil { failure = systemReason() }
        if failure == nil && rename(temporaryPath, path) != 0 { failure = systemReason() }
        if let failure {
            unlink(temporaryPath)
            throw .writeFailed(path: path, reason: failure)
        }
    }

    private static func systemReason() -> String { String(cString: strerror(errno)) }
}
