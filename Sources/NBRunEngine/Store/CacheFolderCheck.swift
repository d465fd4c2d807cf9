import Foundation

/// Why `--cache DIR` was refused.
public enum CacheFolderError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptyPath
    case dangerous(path: String, reason: String)
    case notAFolder(path: String, kind: String)
    case foreignContents(path: String, entries: [String])
    /// One of the cache's own names is there but is not a folder: a link planted at
    /// `objects` would otherwise send `gc`'s deletions to wherever it points.
    case misplacedEntry(path: String, name: String, kind: String)
    /// The cache sits inside a folder a `.path` parameter names: the data hash would count
    /// it, and every run would change it, so every stage reading it would be stale for ever.
    case insideData(path: String, stage: String, parameter: String, data: String)

    public var description: String {
        switch self {
        case .emptyPath:
            return "the --cache path is empty; give the folder that keeps the variants (e.g. on a shared file system)"
        case .dangerous(let path, let reason):
            return "refusing to use \(path) as the cache folder: \(reason); choose another --cache"
        case .notAFolder(let path, let kind):
            return "refusing to use \(path) as the cache folder: it is \(kind), not a folder (links are not followed)"
        case .foreignContents(let path, let entries):
            let shown = entries.prefix(5).joined(separator: ", ") + (entries.count > 5 ? ", …" : "")
            return "refusing to use \(path) as the cache folder: it holds entries nbrun did not write (\(shown)); "
                + "give an empty or new folder, or one nbrun used as a cache before"
        case .misplacedEntry(let path, let name, let kind):
            return "refusing to use \(path) as the cache folder: its \(name) is \(kind) where nbrun keeps a folder "
                + "(links are not followed); remove it or choose another --cache"
        case .insideData(let path, let stage, let parameter, let data):
            return "refusing to use \(path) as the cache folder: it is inside \(data), which \(stage).\(parameter) reads as data, "
                + "so every run would change that data; choose a --cache outside it"
        }
    }
}

/// A cache folder outside the output folder (`--cache DIR`, for a cache on a shared file
/// system) gets the same care as an output folder: `gc` deletes inside it and runs replace
/// folders in it, so it must not be a link, a FIFO or a file, nor a folder someone else
/// uses, nor one of the places no tool should fill (`/`, the home folder, a repository).
public enum CacheFolderCheck {
    /// The only top-level names a variant cache holds (``VariantCache`` and ``FingerprintLock``).
    static let ownNames: Set<String> = ["stages", "objects", "locks"]

    public static func check(_ cache: URL, manifestFolder: URL, outputDirectory: URL, currentDirectory: URL) throws(CacheFolderError) {
        guard !cache.path.isEmpty else { throw .emptyPath }
        do { try OutputTargetCheck.check(cache, manifestFolder: manifestFolder, currentDirectory: currentDirectory) } catch {
            if case .dangerousOutput(_, let reason) = error { throw .dangerous(path: cache.path, reason: reason) }
            throw .dangerous(path: cache.path, reason: error.description)
        }
        let target = OutputTargetCheck.resolved(cache.path)
        let output = OutputTargetCheck.resolved(outputDirectory.path)
        if target == output { throw .dangerous(path: cache.path, reason: "it is the output folder (whose own cache is \(OutputFolder.cacheName))") }
        if OutputTargetCheck.isAncestor(output, of: target) {
            throw .dangerous(path: cache.path, reason: "it is inside the output folder \(outputDirectory.path); omit --cache to use \(OutputFolder.cacheName) there")
        }
        if OutputTargetCheck.isAncestor(target, of: output) {
            throw .dangerous(path: cache.path, reason: "it holds the output folder \(outputDirectory.path)")
        }
        let kind = FileKind.of(cache.path)
        switch kind {
        case .missing: return
        case .directory: break
        default: throw .notAFolder(path: cache.path, kind: kind.description)
        }
        guard let entries = NoFollowRemoval.entries(ofFolderAt: cache.path) else {
            throw .notAFolder(path: cache.path, kind: "a folder that cannot be read")
        }
        for name in entries.sorted() where ownNames.contains(name) {
            let kind = FileKind.of(cache.appendingPathComponent(name).path)
            if !kind.isDirectory { throw .misplacedEntry(path: cache.path, name: name, kind: kind.description) }
        }
        let foreign = entries.filter { !ownNames.contains($0) }.sorted()
        if !foreign.isEmpty { throw .foreignContents(path: cache.path, entries: foreign) }
    }

    /// Refuses a cache inside (or at) a folder one of `manifest`'s `.path` parameters names.
    public static func checkOutsideData(_ cache: URL, manifest: Manifest) throws(CacheFolderError) {
        let target = OutputTargetCheck.resolved(cache.path)
        for stage in manifest.stages {
            for (name, value) in stage.parameters.sorted(by: { $0.key < $1.key }) {
                guard case .path(let path) = value else { continue }
                let data = OutputTargetCheck.resolved(ParameterValue.resolve(path: path, against: manifest.notebookDirectory).path)
                if target == data || OutputTargetCheck.isAncestor(data, of: target) {
                    throw .insideData(path: cache.path, stage: stage.name, parameter: name, data: data)
                }
            }
        }
    }

    /// Every check above, as the CLI and a Slurm task run them before a run touches the cache.
    public static func checkAll(_ cache: URL, manifest: Manifest, outputDirectory: URL, currentDirectory: URL) throws(CacheFolderError) {
        try check(cache, manifestFolder: manifest.notebookDirectory, outputDirectory: outputDirectory, currentDirectory: currentDirectory)
        try checkOutsideData(cache, manifest: manifest)
    }
}
