import Foundation

/// A position in a manifest file, so every error can point the user at the exact spot.
public struct ManifestLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based; 0 when the position is unknown (e.g. an empty file).
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String {
        line > 0 ? "\(file):\(line):\(column)" : file
    }

    /// `file:line:column: `, or nothing for a value that comes from no file (a `--set`).
    var prefix: String { description.isEmpty ? "" : description + ": " }
}
