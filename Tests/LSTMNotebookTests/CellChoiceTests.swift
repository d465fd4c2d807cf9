import Foundation
@testable import LSTMNotebook
import MNIST
import NBRunEngine
import NBRunSweep
import NeuralNetwork
import Testing

/// `build-model.cell` lets the LSTM notebook train and test a GRU or an RNN, and a weights
/// file is loaded only into the cell it holds. Run in the serialized end-to-end suite, on
/// its small slice.
extension NotebookEndToEndTests {
    static let fixtures = repository.appendingPathComponent("Tests/NeuralNetworkTests/Fixtures")

    func record(_ result: RunResult, _ stage: String) throws -> StageRecord {
        switch result.outcomes[stage] {
        case .ranNow(let record)?, .cached(let record)?: return record
        case let other: throw TestFailure("\(stage) did not complete: \(String(describing: other))")
        }
    }

    func failure(_ result: RunResult, _ stage: String) -> String {
        guard case .failed(let error, _, _)? = result.outcomes[stage] else {
            return "\(stage) did not fail: \(String(describing: result.outcomes[stage]))"
        }
        return error
    }

    @Test func theCellChoiceCoversEveryCellNBRunHas() {
        #expect(BuildModelStage.Cell.allCases.map(\.kind) == RecurrentCellKind.all)
        #expect(BuildModelStage.Cell.allCases.map(\.rawValue) == RecurrentCellKind.all.map { $0.name.lowercased() })
        let spec = BuildModelStage.parameters.first { $0.name == "cell" }
        #expect(spec?.kind.displayName == "one of lstm, gru, rnn" && spec?.defaultValue == .string("lstm"))
    }

    /// The default cell builds the model the prose describes, so the notebook's results stay
    /// those of the LSTM: over 28-pixel rows, scoring 10 digits, initialised from the seed.
    @Test func theDefaultCellBuildsTheSameLSTM() throws {
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try run(["load-data.train-limit=64", "load-data.test-limit=32", "train.epochs=0"])
        #expect(result.exitCode == 0)
        let expected = SequenceClassifier(configuration: RecurrentConfiguration(cell: .lstm, inputSize: 28, hiddenSize: 16, outputSize: 10),
                                          seed: 0)
        let reference = output.appendingPathComponent("reference.safetensors")
        try expected.saveSafetensors(to: reference)
        #expect(try Data(contentsOf: artifact("build-model", "model.safetensors")) == Data(contentsOf: reference))
        #expect(try record(result, "build-model").parameters["cell"] == "lstm")
    }

    /// A GRU and an RNN checkpoint of MNIST's shape, each evaluated through the notebook
    /// with `train.epochs=0`: the test stage's accuracy is that of the checkpoint's own
    /// predictions on the same test images, and the model handed on holds its weights.
    @Test func aGRUOrRNNCheckpointIsTestedWhenTheCellMatches() throws {
        defer { try? FileManager.default.removeItem(at: output) }
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let test = try MNISTDataset.load(.test, from: Self.repository.appendingPathComponent("Notebooks/data/mnist")).firstImages(200)
        for (index, cell) in [RecurrentCellKind.gru, .rnn].enumerated() {
            let word = cell.name.lowercased()
            let weights = output.appendingPathComponent("\(word).safetensors")
            let saved = SequenceClassifier(configuration: RecurrentConfiguration(cell: cell, inputSize: 28, hiddenSize: 6, outputSize: 10),
                                           seed: UInt64(7 + index))
            try saved.saveSafetensors(to: weights)
            let result = try run(["load-data.train-limit=64", "load-data.test-limit=200", "train.epochs=0",
                                  "build-model.cell=\(word)", "build-model.weights=\(weights.path)"]) {
                $0.outputDirectory = output.appendingPathComponent("run-\(word)")
            }
            #expect(result.exitCode == 0, "\(word)")

            let images = test.floatImages(0..<test.count)
            let predictions = images.withUnsafeBufferPointer {
                saved.predict(sequences: $0, count: test.count, steps: test.rows, threads: 1).predictions
            }
            let correct = zip(predictions, test.labels).filter { $0 == Int($1) }.count
            let accuracy = try #require(try record(result, "test").metrics?["accuracy"])
            #expect(accuracy == Double(correct) / Double(test.count), "\(word)")

            let handedOn = try SequenceClassifier.loadSafetensors(
                from: output.appendingPathComponent("run-\(word)/train/model.safetensors"))
            #expect(handedOn.configuration == saved.configuration)
            #expect(handedOn.namedParameters.map(\.values) == saved.namedParameters.map(\.values))
            #expect(try record(result, "build-model").output.contains("Loaded weights from \(weights.path)"))
        }
    }

    /// GRU and RNN classifiers trained in PyTorch on MNIST (`Fixtures/make-pytorch-checkpoints.py`),
    /// evaluated through the notebook with `train.epochs=0` on the first 200 test images: the
    /// test stage scores exactly what PyTorch scored, and nbrun's own forward pass gives
    /// PyTorch's answer for every image. Exact agreement is a fair demand: PyTorch's best
    /// answer leads the runner-up by at least 0.0058 in every logit vector, far above the
    /// ~1e-6 the two implementations' fp32 sums differ by.
    @Test func pyTorchTrainedGRUAndRNNScoreThroughTheNotebookAsInPyTorch() throws {
        defer { try? FileManager.default.removeItem(at: output) }
        let folder = Self.repository.appendingPathComponent("Tests/LSTMNotebookTests/Fixtures")
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("pytorch-mnist-checkpoints.json"))) as? [String: Any]
        let test = try MNISTDataset.load(.test, from: Self.repository.appendingPathComponent("Notebooks/data/mnist")).firstImages(200)
        for word in ["gru", "rnn"] {
            let expected = try #require(reference?[word] as? [String: Any])
            let correct = try #require(expected["correct"] as? Int), predictions = try #require(expected["predictions"] as? [Int])
            #expect(try #require(expected["smallest_margin"] as? Double) > 1e-3)
            let weights = folder.appendingPathComponent("pytorch-\(word)-mnist.safetensors")
            let result = try run(["load-data.train-limit=64", "load-data.test-limit=200", "train.epochs=0",
                                  "build-model.cell=\(word)", "build-model.weights=\(weights.path)"]) {
                $0.outputDirectory = output.appendingPathComponent("pytorch-\(word)")
            }
            #expect(result.exitCode == 0, "\(word)")
            #expect(try record(result, "test").metrics?["accuracy"] == Double(correct) / 200, "\(word)")
            let model = try SequenceClassifier.loadSafetensors(from: weights)
            #expect(model.configuration.cell.name.lowercased() == word && model.configuration.hiddenSize == 16)
            let images = test.floatImages(0..<test.count)
            let ours = images.withUnsafeBufferPointer { model.predict(sequences: $0, count: test.count, steps: test.rows, threads: 1).predictions }
            #expect(ours == predictions, "\(word): \(zip(ours, predictions).filter { $0 != $1 }.count) of 200 answers differ from PyTorch's")
        }
    }

    /// The PyTorch-written GRU and RNN references: with the default cell the notebook says
    /// which cell to set; with that cell it reads the file as that cell and then refuses its
    /// shape (3 inputs per step and 5 classes, not MNIST's 28 and 10), naming both.
    @Test func pyTorchCheckpointsAreMatchedToTheirCell() throws {
        defer { try? FileManager.default.removeItem(at: output) }
        for word in ["gru", "rnn"] {
            let weights = Self.fixtures.appendingPathComponent("\(word)-reference.safetensors")
            let slice = ["load-data.train-limit=64", "load-data.test-limit=32", "train.epochs=0", "build-model.weights=\(weights.path)"]
            let asLSTM = failure(try run(slice), "build-model")
            #expect(asLSTM.contains("the weights in \(weights.path) are \(word.uppercased()) weights, but build-model.cell is lstm")
                    && asLSTM.contains("add --set build-model.cell=\(word)"), "\(asLSTM)")
            let matched = failure(try run(slice + ["build-model.cell=\(word)"]), "build-model")
            #expect(matched.contains("take 3 inputs per step and score 5 classes") && matched.contains("needs 28")
                    && !matched.contains("cell"), "\(matched)")
        }
    }

    /// `--sweep build-model.cell=lstm,gru,rnn`: three variants that share the data stages,
    /// each with its own model, and a sweep table with one row per cell.
    @Test func aSweepOverTheCellComparesTheThree() throws {
        defer { try? FileManager.default.removeItem(at: output) }
        var options = RunOptions()
        options.outputDirectory = output
        options.threadCount = 2
        let fixed = try ["load-data.train-limit=96", "load-data.test-limit=48", "build-model.hidden-size=4", "train.epochs=1",
                         "train.learning-rate=0.01"].map { try ParameterOverride(parsing: $0) }
        let grid = try SweepGrid(axes: [try SweepAxis(parsing: "build-model.cell=lstm,gru,rnn")], fixed: fixed)
        let sweep = try runner.sweep(try runner.loadManifest(Self.manifestURL, overrides: fixed), grid: grid, metric: "test.accuracy",
                                     options: options, chartWriter: nil)
        #expect(sweep.exitCode == 0)
        #expect(sweep.variants.map { $0.overrides.map(\.description) }
                == [["build-model.cell=lstm"], ["build-model.cell=gru"], ["build-model.cell=rnn"]])
        #expect(sweep.variants[0].executed.contains("load-data"))
        for variant in sweep.variants.dropFirst() {
            #expect(!variant.executed.contains("load-data") && variant.executed.contains("build-model"))
        }
        #expect(sweep.variants.map { $0.records["build-model"]?.parameters["cell"] } == ["lstm", "gru", "rnn"])
        #expect(Set(sweep.variants.compactMap { $0.records["test"]?.fingerprint }).count == 3)
        #expect(sweep.variants.allSatisfy { $0.metrics["test.accuracy"] != nil })
        let model = try SequenceClassifier.loadSafetensors(from: output.appendingPathComponent("build-model/model.safetensors"))
        #expect(model.configuration.cell == .rnn, "the last variant's model is in the output folder")
        let table = try String(contentsOf: try #require(sweep.reportURL), encoding: .utf8)
        for word in ["lstm", "gru", "rnn"] {
            #expect(table.contains("| `\(word)` | "), "\(table)")
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
