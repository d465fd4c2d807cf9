import NBRunCore
import NeuralNetwork

/// Cell 3: the DigitClassification model (an LSTM `SequenceClassifier`), freshly initialised or loaded from a checkpoint.
struct BuildModelStage: Stage {
    static let kind = "lstm.build-model"
    static let summary = "Build the DigitClassification LSTM (seeded initialisation, or weights from a safetensors file)."
    static let sourceFileName = "BuildModelStage.swift"
    static let parameters = [
        ParameterSpec("hidden-size", .integer(1...RecurrentConfiguration.maximumSize), default: .integer(128),
                      "Size of the LSTM's hidden and cell states (a weights file brings its own)."),
        ParameterSpec("seed", .integer(0...4_294_967_295), default: .integer(0),
                      "Seed of the initial weights (unused with a weights file)."),
        ParameterSpec("weights", .path, default: .none,
                      "A safetensors checkpoint to start from instead (e.g. weights trained in PyTorch)."),
    ]

    func run(_ context: StageContext) throws {
        let model: SequenceClassifier
        if let weights = context.parameters.url("weights") {
            model = try SequenceClassifier.loadSafetensors(from: weights)
            // MNIST feeds 28 pixels per time step and has 10 classes: other shapes cannot run.
            let expected = RecurrentConfiguration(
                cell: .lstm, inputSize: 28, hiddenSize: model.configuration.hiddenSize, outputSize: 10)
            guard model.configuration == expected else {
                throw NotebookError.weightsDoNotFitMNIST(path: weights.path, found: model.configuration, expected: expected)
            }
            context.print("Loaded weights from \(context.parameters.string("weights"))")
        } else {
            let configuration = RecurrentConfiguration(
                cell: .lstm, inputSize: 28, hiddenSize: context.parameters.int("hidden-size"), outputSize: 10)
            model = SequenceClassifier(configuration: configuration, seed: UInt64(context.parameters.int("seed")))
        }
        context.print(model.moduleDescription())
        context.print("Trainable parameters: \(model.parameterCount.formatted(.number))")
        try model.saveSafetensors(to: context.outputURL(for: "model.safetensors"))
    }
}
