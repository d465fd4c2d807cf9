import Foundation

/// A file or folder parameter, written relative to the manifest's folder. Its content is
/// part of the stage's fingerprint, so replacing the data under the same name makes the
/// stage stale.
public struct NotebookPath: ParameterValueType, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// As written in the manifest or by `--set` (shown in messages).
    public let text: String
    /// Resolved against the manifest's folder (`~` is the home folder).
    public let url: URL

    public init(stringLiteral text: String) {
        self.text = text
        url = ParameterValue.resolve(path: text, against: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    }

    public init(_ text: String, relativeTo base: URL) {
        self.text = text
        url = ParameterValue.resolve(path: text, against: base)
    }

    public var description: String { text }

    public static var parameterKind: ParameterKind { .path }
    public var parameterValue: ParameterValue { .path(text) }
    public init?(parameterValue: ParameterValue, baseDirectory: URL) {
        guard case .path(let text) = parameterValue else { return nil }
        self.init(text, relativeTo: baseDirectory)
    }
}
