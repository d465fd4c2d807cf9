import Foundation
import NBRunEngine

/// `<output>/slurm/`, where the record and the tasks' logs live: created by nbrun, and
/// refused when something else (a link, a file) sits at its name, since Slurm would write
/// the logs through it.
enum SlurmLogFolder {
    static func prepare(_ url: URL) throws(StorageError) {
        let kind = FileKind.of(url.path)
        switch kind {
        case .directory: return
        case .missing:
            if mkdir(url.path, 0o755) != 0 && errno != EEXIST {
                throw .cannotWrite(path: url.path, reason: String(cString: strerror(errno)))
            }
            let now = FileKind.of(url.path)
            guard now.isDirectory else { throw .unexpectedEntry(path: url.path, kind: now.description, expected: "its folder \(url.lastPathComponent)") }
        default:
            throw .unexpectedEntry(path: url.path, kind: kind.description, expected: "its folder \(url.lastPathComponent)")
        }
    }
}
