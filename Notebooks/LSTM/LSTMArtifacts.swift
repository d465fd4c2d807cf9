import NBRun
import NeuralNetwork
import NotebookTraining

/// The files the LSTM notebook's stages hand to each other (besides the data description).
enum LSTMArtifacts {
    /// Written by `build-model` (initial weights) and by `train` (trained weights); read by
    /// `train`, `test` and `predict` from the one stage upstream of each.
    static let model = Artifact<SequenceClassifier>("model.safetensors")
    /// Written by `test`: the counts behind its `accuracy` metric.
    static let evaluation = Artifact<Evaluation>("evaluation.json")
}
