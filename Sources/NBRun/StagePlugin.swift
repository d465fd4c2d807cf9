import Foundation

/// A notebook's stages: the plugin nbrun compiles from the notebook's folder and loads.
///
/// A notebook declares one type conforming to this protocol with only its `name`; nbrun
/// generates the rest from the folder's files: every type under `Stages/` that conforms to
/// ``Stage``, with its file, and the code of the helper files.
public protocol StagePlugin: Sendable {
    /// Prefix of the plugin's stage kinds (`lstm` for `lstm.train`).
    var name: String { get }
    /// Every stage of the plugin with the text of the file that declares it (generated).
    var stages: [EmbeddedStage] { get }
    /// The library code the plugin's stages call, so that editing it makes exactly the
    /// stages that reach it stale (generated).
    var libraryCode: LibraryCode { get }

    init()
}

/// What a compiled plugin hands nbrun through its C entry point (generated code makes it):
/// a class, so that it can cross as one retained pointer.
public final class StagePluginEntry: @unchecked Sendable {
    public let plugin: any StagePlugin

    public init(_ plugin: any StagePlugin) {
        self.plugin = plugin
    }
}

/// A figure a stage added: a PNG artifact and its caption (the alt text in the report).
public struct StageFigure: Codable, Sendable, Equatable {
    public var name: String
    public var caption: String

    public init(name: String, caption: String) {
        self.name = name
        self.caption = caption
    }
}
