import MNISTNotebookData
import NBRun
import NeuralNetwork

/// Cell 3: the DigitClassification model (a `SequenceClassifier` over an LSTM, or over the
/// GRU or RNN `cell` names), freshly initialised or loaded from a checkpoint.
struct BuildModelStage: Stage {
    static let summary = "Build the DigitClassification model (seeded initialisation, or weights from a safetensors file)."

    /// The recurrent cells the model can be built around. The notebook's prose describes the
    /// LSTM; the others make the same notebook train and test a GRU or a plain RNN.
    enum Cell: String, CaseIterable, ParameterValueType {
        case lstm, gru, rnn

        var kind: RecurrentCellKind {
            switch self {
            case .lstm: .lstm
            case .gru: .gru
            case .rnn: .rnn
            }
        }
    }

    @Parameter(help: "The recurrent cell; a weights file must hold this cell.") var cell = Cell.lstm
    @Parameter(help: "Size of the cell's hidden state (a weights file brings its own).",
               range: 1...RecurrentConfiguration.maximumSize)
    var hiddenSize = 128
    @Parameter(help: "Seed of the initial weights (unused with a weights file).", range: .seeds) var seed = 0
    @Parameter(help: "A safetensors checkpoint to start from instead (e.g. weights trained in PyTorch).")
    var weights: NotebookPath? = nil

    func run(_ context: StageContext) throws {
        let model: SequenceClassifier
        // One image row per time step, one score per class: both as the data has them.
        let data = try NotebookData(context).description
        if let weights {
            model = try SequenceClassifier.loadSafetensors(from: weights.url)
            let expected = RecurrentConfiguration(
                cell: cell.kind, inputSize: data.imageColumns, hiddenSize: model.configuration.hiddenSize,
                outputSize: data.classCount)
            guard model.configuration == expected else {
                throw NotebookError.weightsDoNotFitMNIST(path: weights.url.path, found: model.configuration, expected: expected)
            }
            context.print("Loaded weights from \(weights)")
        } else {
            let configuration = RecurrentConfiguration(
                cell: cell.kind, inputSize: data.imageColumns, hiddenSize: hiddenSize, outputSize: data.classCount)
            model = SequenceClassifier(configuration: configuration, seed: UInt64(seed))
        }
        context.print(model.moduleDescription())
        context.print("Trainable parameters: \(model.parameterCount.formatted(.number))")
        try context.write(model, to: LSTMArtifacts.model)
    }
}
