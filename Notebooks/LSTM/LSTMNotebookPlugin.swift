import NBRun

/// The stages of the LSTM-on-MNIST notebook (`lstm.*`), in the files under `Stages/`;
/// the manifest runs them in the reference notebook's order.
public struct LSTMNotebookPlugin: StagePlugin {
    public init() {}
    public let name = "lstm"
}
