import Foundation

/// A validated notebook: its title, where its outputs go, and its ordered cells.
///
/// Only `ManifestLoader` makes these, so a `Manifest` value is always runnable: every
/// stage kind is registered, every parameter typed and in range, every read refers to an
/// earlier stage.
public struct Manifest: Sendable {
    public var fileURL: URL
    public var title: String
    /// The `output:` entry as written, if any (``outputDirectory(override:currentDirectory:)``
    /// resolves it).
    public var declaredOutput: String?
    public var cells: [Cell]

    public var notebookDirectory: URL { fileURL.deletingLastPathComponent() }

    /// The notebook's stages in manifest order.
    public var stages: [StageCell] {
        cells.compactMap { if case .stage(let stage) = $0 { stage } else { nil } }
    }

    public func stage(named name: String) -> StageCell? {
        stages.first { $0.name == name }
    }

    /// Where outputs go. An explicit `output:` resolves against the manifest's folder;
    /// without one the default is `output/<manifest name without extension>` resolved
    /// against the current directory (users run nbrun from the repository root).
    /// A CLI `--output DIR` (passed as `override`) wins over both.
    public func outputDirectory(override: URL? = nil, currentDirectory: URL? = nil) -> URL {
        if let override { return override.standardizedFileURL }
        if let declaredOutput {
            return URL(fileURLWithPath: declaredOutput, relativeTo: notebookDirectory).standardizedFileURL
        }
        let base = currentDirectory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let name = fileURL.deletingPathExtension().lastPathComponent
        return base.appendingPathComponent("output").appendingPathComponent(name).standardizedFileURL
    }
}
