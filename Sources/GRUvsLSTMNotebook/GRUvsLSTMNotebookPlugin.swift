import NBRunCore

/// The second notebook: the reference post's closing question, "GRU or LSTM?", measured.
/// Its data stage is the LSTM notebook's `lstm.load-data`; its three experiments are here.
public struct GRUvsLSTMNotebookPlugin: StagePlugin {
    public init() {}

    public var name: String { "compare" }

    public var stages: [any Stage.Type] {
        [SameBudgetStage.self, RememberingStage.self, VanishingGradientStage.self]
    }

    public var stageSources: [String: String] { EmbeddedStageSources.byFileName }

    public var libraryCode: LibraryCode {
        LibraryCode(ownModule: EmbeddedStageSources.ownModule, sources: EmbeddedStageSources.librarySources,
                    dependencies: EmbeddedStageSources.libraryDependencies)
    }
}
