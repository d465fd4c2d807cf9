import Foundation

/// Why a set of plugins cannot be registered together.
public enum RegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    case duplicateKind(String)
    /// A plugin or stage name that cannot form a `plugin.stage` kind a manifest can name.
    case invalidName(String, of: String)

    public var description: String {
        switch self {
        case .duplicateKind(let kind):
            return "stage kind '\(kind)' is registered by more than one plugin"
        case .invalidName(let name, let owner):
            return "\(owner) is named '\(name)': a name is lowercase letters, digits and '-', starting with a letter"
        }
    }
}
