/// A PNG that could not be encoded, written or read.
public enum PNGError: Error, Equatable, Sendable, CustomStringConvertible {
    /// libpng refused to encode the pixels.
    case encodingFailed(path: String, message: String)
    /// The file could not be created or written completely; nothing was left at `path`
    /// (an earlier file there is untouched).
    case writeFailed(path: String, reason: String)
    /// The file is missing, unreadable or not a PNG libpng can decode.
    case readFailed(path: String, message: String)

    public var description: String {
        switch self {
        case let .encodingFailed(path, message): "cannot encode PNG for \(path): \(message)"
        case let .writeFailed(path, reason): "cannot write PNG \(path): \(reason)"
        case let .readFailed(path, message): "cannot read PNG \(path): \(message)"
        }
    }
}
