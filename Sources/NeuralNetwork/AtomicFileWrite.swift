import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `data` to `url` so a reader sees either the old file or the complete new one:
/// the bytes go to a temporary file in the same folder (same file system), then `rename`
/// replaces the destination in one step. An interrupted run never leaves half a checkpoint.
func writeAtomically(_ data: Data, to url: URL) throws(SafetensorsError) {
    let folder = url.deletingLastPathComponent()
    let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
    do {
        try data.write(to: temporary)
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        throw .writeFailed(path: url.path, reason: error.localizedDescription)
    }
    if rename(temporary.path, url.path) != 0 {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temporary)
        throw .writeFailed(path: url.path, reason: reason)
    }
}
