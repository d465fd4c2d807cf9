import NBRunCore

/// The stages of the LSTM-on-MNIST notebook, in the order the reference notebook runs them.
public struct LSTMNotebookPlugin: StagePlugin {
    public init() {}

    public var name: String { "lstm" }

    public var stages: [any Stage.Type] {
        [
            LoadDataStage.self,
            VisualizeBatchStage.self,
            BuildModelStage.self,
            TrainStage.self,
            TestStage.self,
            PredictStage.self,
        ]
    }

    public var stageSources: [String: String] { EmbeddedStageSources.byFileName }

    public var libraryCode: LibraryCode {
        LibraryCode(ownModule: EmbeddedStageSources.ownModule, sources: EmbeddedStageSources.librarySources,
                    dependencies: EmbeddedStageSources.libraryDependencies)
    }
}
