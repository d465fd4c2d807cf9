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
        }
    }
}

extension StorageError {
    /// The same failure as a storage error: the destination and the system's reason.
    init(_ error: AtomicWriteError) {
        self = .cannotWrite(path: error.path, reason: error.reason)
    }
}
