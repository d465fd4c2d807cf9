import NBRun

/// The second notebook: the reference post's closing question, "GRU or LSTM?", measured.
/// Its data stage is the LSTM notebook's `lstm.load-data`; its three experiments, the
/// `compare.*` stages, are here.
public struct GRUvsLSTMNotebookPlugin: StagePlugin {
    public init() {}
    public let name = "compare"
}
