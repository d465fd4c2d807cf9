import Foundation
import NBRunEngine

/// Why `nbrun new` wrote nothing (or removed what it had started to write).
public enum ScaffoldError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidName(String)
    case noParentFolder(String)
    case exists(String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidName(let name):
            return "'\(name)' cannot name a notebook: use a letter then letters or digits, starting upper-case "
                + "(e.g. Waves or SineFit), at most 40 characters"
        case .noParentFolder(let path):
            return "\(path) is not an existing folder to create the notebook's folder in"
        case .exists(let path):
            return "\(path) already exists; nbrun new never overwrites, choose another name"
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason)"
        }
    }
}
