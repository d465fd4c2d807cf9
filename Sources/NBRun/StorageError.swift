import AtomicFiles
import Foundation

/// Failures of the on-disk cache. Each names the path at fault.
public enum StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotCreate(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case cannotRead(path: String, reason: String)
    case artifactMismatch(path: String, expected: String, found: String)
    case artifactMissing(path: String)
    case noSuchArtifact(name: String, searched: [String])
    case ambiguousArtifact(name: String, stages: [String])
    case notAnUpstream(stage: String, reader: String)
    case invalidArtifactName(String)
    /// A path that must be a regular file is something else (a FIFO, a device, a link…).
    case notARegularFile(path: String, kind: String)
    /// The output folder exists, lacks nbrun's marker and holds these entries.
    case foreignOutputFolder(path: String, entries: [String])
    /// The output folder would be `/`, the home folder, the manifest's folder or above, a repository root…
    case dangerousOutput(path: String, reason: String)
    /// An empty output path (an unset shell variable): it would mean the current folder.
    case emptyOutputPath
    /// Something nbrun did not create sits where nbrun keeps its own file or folder.
    case unexpectedEntry(path: String, kind: String, expected: String)
    /// A stage's folder exists but is not nbrun's committed result: a run would replace it.
    case foreignStageFolder(path: String, reason: String)
    /// A stage named like a file or folder nbrun keeps next to the stage folders.
    case reservedStageName(String)
    /// A stage recorded a metric nbrun cannot store or show.
    case invalidMetric(name: String, reason: String)

    public var description: String {
        switch self {
        case .cannotCreate(let path, let reason): return "cannot create \(path): \(reason)"
        case .cannotWrite(let path, let reason): return "cannot write \(path): \(reason)"
        case .cannotRead(let path, let reason): return "cannot read \(path): \(reason)"
        case .artifactMismatch(let path, let expected, let found):
            return "cached artifact \(path) is damaged: expected \(expected), found \(found)"
        case .artifactMissing(let path): return "cached artifact \(path) is missing"
        case .noSuchArtifact(let name, let searched):
            return "no artifact named '\(name)' in the stages read from (\(searched.joined(separator: ", ")))"
        case .ambiguousArtifact(let name, let stages):
            return "artifact '\(name)' is produced by several stages read from (\(stages.joined(separator: ", "))); name the stage"
        case .notAnUpstream(let stage, let reader):
            return "stage '\(reader)' does not read from '\(stage)' (add it to 'reads:')"
        case .invalidArtifactName(let name):
            return "invalid artifact name '\(name)': use a plain file name without '/' and not 'record.json'"
        case .notARegularFile(let path, let kind):
            return "cannot read \(path): it is \(kind), not a regular file; nbrun reads only regular files (and folders of them)"
        case .foreignOutputFolder(let path, let entries):
            let shown = entries.prefix(5).joined(separator: ", ") + (entries.count > 5 ? ", … (\(entries.count) entries)" : "")
            return "output folder \(path) was not created by nbrun and is not empty (it holds \(shown)); "
                + "nbrun writes only into folders it created or empty ones: choose another --output, or empty the folder"
        case .dangerousOutput(let path, let reason):
            return "refusing to use \(path) as the output folder: \(reason); choose another --output"
        case .emptyOutputPath:
            return "the output folder path is empty (an unset variable?); give a folder with --output DIR"
        case .unexpectedEntry(let path, let kind, let expected):
            return "\(path) is \(kind), where nbrun keeps \(expected); nbrun never writes through, empties or "
                + "deletes what it did not create: remove or rename it, then run again"
        case .foreignStageFolder(let path, let reason):
            return "stage folder \(path) is not an nbrun result (\(reason)) and a run would replace it: "
                + "move it away or choose another --output"
        case .invalidMetric(let name, let reason):
            return "invalid metric '\(name)': \(reason)"
        case .reservedStageName(let name):
            return "stage name '\(name)' is a name nbrun uses for its own file in the output folder; rename the stage"
        }
    }
}

extension StorageError {
    /// The same failure as a storage error: the destination and the system's reason.
    package init(_ error: AtomicWriteError) {
        self = .cannotWrite(path: error.path, reason: error.reason)
    }
}
