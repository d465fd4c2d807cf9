import AtomicFiles
import Foundation

/// How a run writes the files of a stage's commit. Runs write through ``AtomicFileWriter``;
/// tests hand the ``Runner`` a disk that fills up instead, to show that a commit failing
/// half-way leaves the earlier result in place. The runner itself never asks which it has.
public protocol FileWriting: Sendable {
    /// Writes `data` to `url` so that readers see the old file or the whole new one.
    func write(_ data: Data, to url: URL) throws(AtomicWriteError)
}

/// The real disk, through ``AtomicFile``.
public struct AtomicFileWriter: FileWriting {
    public init() {}

    public func write(_ data: Data, to url: URL) throws(AtomicWriteError) {
        try AtomicFile.write(data, to: url)
    }
}
