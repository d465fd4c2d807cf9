/// Why a run reruns a stage regardless of its cache.
public enum ForceCause: Sendable, Equatable, CustomStringConvertible {
    /// `--stage NAME`: the one stage asked for.
    case selectedByStage
    /// `--from NAME`: the stage or one downstream of it.
    case selectedByFrom(String)
    /// `--force`: the cache and any resumable state are ignored.
    case forceFlag

    public var description: String {
        switch self {
        case .selectedByStage: return "selected by --stage"
        case .selectedByFrom(let from): return "selected by --from \(from)"
        case .forceFlag: return "--force"
        }
    }

    /// Only `--force` means "start over": a stage merely selected may resume its checkpoints.
    public var discardsResumableState: Bool { self == .forceFlag }
}
