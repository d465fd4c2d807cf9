import Foundation

/// A notebook's stages, compiled into the `nbrun` executable.
///
/// A notebook module declares one type conforming to this protocol with only its `name`;
/// the EmbedStageSources build plugin generates the rest from the module's sources: every
/// type under `Stages/` that conforms to ``Stage``, with its file, and the library code.
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
