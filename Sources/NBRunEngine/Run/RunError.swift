import Foundation

/// Why a run (or `status`, `why`, `clean`) could not proceed at all. A failing stage is
/// not one of these: it is reported in the run's result and the report.
public enum RunError: Error, Sendable, Equatable, CustomStringConvertible {
    case manifest(ManifestError)
    case storage(StorageError)
    case outputLocked(path: String, pid: Int32?)
    case unknownStage(String, known: [String])
    /// Ctrl-C while waiting for another nbrun's lock: the run stopped before changing anything.
    case interrupted(path: String)
    /// `--no-wait`, and the cache at `path` is in use: by a `clean` or `gc` (for a run), or by
    /// running nbrun processes (for `clean` and `gc`).
    case cacheBusy(path: String, byCleanOrGC: Bool)
    /// `--no-wait`, and another process is computing the variant `fingerprint` of `stage`.
    case variantLocked(stage: String, fingerprint: String)

    public var description: String {
        switch self {
        case .manifest(let error): return error.description
        case .storage(let error): return error.description
        case .outputLocked(let path, let pid):
            let holder = pid.map { " (pid \($0))" } ?? ""
            return "another nbrun is running on \(path)\(holder); run again without --no-wait to wait for it"
        case .unknownStage(let name, let known):
            return "no stage named '\(name)' in the manifest" + ClosestName.hint(for: name, among: known, label: "stages")
        case .interrupted(let path):
            return "interrupted while waiting for another nbrun on \(path); nothing was changed"
        case .cacheBusy(let path, true):
            return "nbrun clean or gc is working on the cache \(path); run again without --no-wait to wait for it"
        case .cacheBusy(let path, false):
            return "nbrun is running with the cache \(path); run again without --no-wait to wait for it to finish"
        case .variantLocked(let stage, let fingerprint):
            return "another nbrun is computing \(stage) (\(fingerprint)); run again without --no-wait to wait for it and reuse its result"
        }
    }
}
