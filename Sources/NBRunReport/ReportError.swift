/// Why a report file or one of the page's assets could not be written.
public enum ReportError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotWrite(path: String, reason: String)
    /// A KaTeX file of the system's package could not be read.
    case unreadableAsset(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotWrite(let path, let reason): "cannot write \(path): \(reason)"
        case .unreadableAsset(let path, let reason): "cannot read \(path): \(reason)"
        }
    }
}
