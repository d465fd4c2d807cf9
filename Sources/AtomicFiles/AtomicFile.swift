import Foundation

/// Why an atomic write failed: the destination and the system's reason.
public struct AtomicWriteError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "cannot write \(path): \(reason)" }
}

/// Writes a file so that readers see either the old content or the complete new one:
/// bytes go to a uniquely named temporary file in the destination folder (same file
/// system, so the final `rename` is atomic), are flushed to disk, and replace the
/// destination only once fully written. On any failure the temporary file is removed and
/// the destination is left as it was. Every artifact, checkpoint, figure and report of
/// nbrun is written through here.
public enum AtomicFile {
    /// Writes at most `count` bytes from a buffer to a descriptor, like POSIX `write`:
    /// returns how many were written, or -1 with `errno` set. Tests substitute a failing
    /// one to simulate a full disk.
    public typealias WriteFunction = (Int32, UnsafeRawPointer, Int) -> Int

    public static func write(_ bytes: some ContiguousBytes, to url: URL) throws(AtomicWriteError) {
        try write(bytes, to: url.path)
    }

    public static func write(
        _ bytes: some ContiguousBytes, to path: String,
        using writeFunction: WriteFunction = { fd, buffer, count in Foundation.write(fd, buffer, count) }
    ) throws(AtomicWriteError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        // The temporary name's shape is what `isTemporaryName` recognises; keep the two together.
        var template = Array((folder + "/." + url.lastPathComponent + ".XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw AtomicWriteError(path: path, reason: systemReason()) }
        let temporaryPath = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)

        var failure: String?
        // mkstemp creates the file private (0600); results are meant to be shared like any new file.
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
            throw AtomicWriteError(path: path, reason: failure)
        }
    }

    /// Whether `name` is how `write` names its temporary file for a destination called
    /// `destinationName` (`.report.md.AbC123`): a run killed mid-write leaves one behind,
    /// and only files named exactly so may be swept up as the writer's own.
    public static func isTemporaryName(_ name: String, for destinationName: String) -> Bool {
        let prefix = "." + destinationName + "."
        guard name.hasPrefix(prefix) else { return false }
        let suffix = name.utf8.dropFirst(prefix.utf8.count)
        return suffix.count == 6 && suffix.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
    }

    private static func systemReason() -> String { String(cString: strerror(errno)) }
}
