import NBRun
import NeuralNetwork

/// Cell 3: the DigitClassification model (an LSTM `SequenceClassifier`), freshly initialised or loaded from a checkpoint.
struct BuildModelStage: Stage {
    static let name = "build-model"
    static let summary = "Build the DigitClassification LSTM (seeded initialisation, or weights from a safetensors file)."

    @Parameter(help: "Size of the LSTM's hidden and cell states (a weights file brings its own).",
               range: 1...RecurrentConfiguration.maximumSize)
    var hiddenSize = 128
    @Parameter(help: "Seed of the initial weights (unused with a weights file).", range: .seeds) var seed = 0
    @Parameter(help: "A safetensors checkpoint to start from instead (e.g. weights trained in PyTorch).")
    var weights: NotebookPath? = nil

    func run(_ context: StageContext) throws {
        let model: SequenceClassifier
        if let weights {
            model = try SequenceClassifier.loadSafetensors(from: weights.url)
            // MNIST feeds 28 pixels per time step and has 10 classes: other shapes cannot run.
            let expected = RecurrentConfiguration(
                cell: .lstm, inputSize: 28, hiddenSize: model.configuration.hiddenSize, outputSize: 10)
            guard model.configuration == expected else {
                throw NotebookError.weightsDoNotFitMNIST(path: weights.url.path, found: model.configuration, expected: expected)
            }
            context.print("Loaded weights from \(weights)")
        } else {
            let configuration = RecurrentConfiguration(
                cell: .lstm, inputSize: 28, hiddenSize: hiddenSize, outputSize: 10)
            model = SequenceClassifier(configuration: configuration, seed: UInt64(seed))
        }
        context.print(model.moduleDescription())
        context.print("Trainable parameters: \(model.parameterCount.formatted(.number))")
        try context.write(model, to: LSTMArtifacts.model)
    }
}
