import Figures
import Foundation
import LSTMNotebook
import NBRunEngine
import NeuralNetwork
import Testing

/// The whole LSTM notebook, run in-process on a small slice so that it passes in a few
/// minutes of a debug build: 2,000 training images, 500 test images, hidden size 16, one
/// epoch at a learning rate of 0.01 (a small network on little data learns too slowly at
/// 0.001 for one epoch to show it). The full ten-epoch run is measured outside the test suite (README).
@Suite(.serialized)
struct NotebookEndToEndTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let manifestURL = repository.appendingPathComponent("Notebooks/LSTM.manifest")
    static let smallSlice = [
        "load-data.train-limit=2000", "load-data.test-limit=500",
        "build-model.hidden-size=16", "train.epochs=1", "train.learning-rate=0.01",
    ]

    let output: URL
    let runner: Runner

    init() throws {
        output = FileManager.default.temporaryDirectory
            .appendingPathComponent("nbrun-lstm-e2e-\(UUID().uuidString)")
        runner = Runner(registry: try StageRegistry(plugins: [LSTMNotebookPlugin()]), console: .recording())
    }

    func run(_ extra: [String] = [], configure: (inout RunOptions) -> Void = { _ in }) throws -> RunResult {
        var options = RunOptions()
        options.outputDirectory = output
        options.threadCount = 2
        configure(&options)
        return try runner.run(manifest(extra), options: options)
    }

    /// The LSTM manifest with the small slice and `extra` settings.
    func manifest(_ extra: [String] = []) throws -> Manifest {
        // Later settings of the same parameter replace earlier ones.
        var settings: [String: String] = [:]
        var order: [String] = []
        for setting in Self.smallSlice + extra {
            let key = String(setting.prefix { $0 != "=" })
            if settings.updateValue(setting, forKey: key) == nil { order.append(key) }
        }
        let overrides = try order.map { try ParameterOverride(parsing: settings[$0]!) }
        return try runner.loadManifest(Self.manifestURL, overrides: overrides)
    }

    func artifact(_ stage: String, _ name: String) -> URL {
        output.appendingPathComponent(stage).appendingPathComponent(name)
    }

    @Test func runsEveryStageThenCachesAndInvalidatesExactlyWhatChanged() throws {
        defer { try? FileManager.default.removeItem(at: output) }
        let stages = ["load-data", "visualize-batch", "build-model", "train", "test", "predict"]

        // First run: every stage runs, in the notebook's order.
        let first = try run()
        #expect(first.exitCode == 0)
        #expect(first.executed == stages)

        // Every artifact is there and well-formed.
        for (stage, figure) in [("visualize-batch", "batch.png"), ("train", "loss.png"),
                                ("test", "confusion.png"), ("predict", "prediction.png")] {
            let image = try PNGReader.read(from: artifact(stage, figure))
            #expect(image.width > 50 && image.height > 50, "\(stage)/\(figure) is \(image.width)×\(image.height)")
        }
        let trained = try SequenceClassifier.loadSafetensors(from: artifact("train", "model.safetensors"))
        #expect(trained.configuration == RecurrentConfiguration(cell: .lstm, inputSize: 28, hiddenSize: 16, outputSize: 10))
        let initial = try SequenceClassifier.loadSafetensors(from: artifact("build-model", "model.safetensors"))
        #expect(initial.namedParameters.map(\.values) != trained.namedParameters.map(\.values), "training changed nothing")

        let metrics = try JSONSerialization.jsonObject(
            with: Data(contentsOf: artifact("test", "evaluation.json"))) as? [String: Any]
        let correct = try #require(metrics?["correct"] as? Int)
        #expect(metrics?["total"] as? Int == 500)
        // One epoch on 2,000 images with 16 hidden units is far better than chance (10%):
        // measured 39%; the bound leaves room for another machine's rounding.
        #expect(correct > 125, "only \(correct) of 500 test images correct after one small epoch")

        // The metrics `nbrun runs` and sweeps compare: test accuracy and final training loss.
        guard case .ranNow(let testRecord) = first.outcomes["test"], case .ranNow(let trainRecord) = first.outcomes["train"] else {
            Issue.record("test and train should have run"); return
        }
        #expect(testRecord.metrics?["accuracy"] == Double(correct) / 500)
        let losses = try JSONSerialization.jsonObject(with: Data(contentsOf: artifact("train", "loss-history.json"))) as? [String: Any]
        let epochMeans = try #require(losses?["epochMeans"] as? [Double])
        // Through JSON text and back: equal to the last printed digit, not necessarily to the bit.
        let finalLoss = try #require(trainRecord.metrics?["final-loss"])
        #expect(abs(finalLoss - (epochMeans.last ?? .nan)) <= 1e-12 * abs(finalLoss))

        // The report mirrors the notebook: prose, code, printed output, figures, footers.
        let report = try String(contentsOf: output.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("# Long Short-Term Memory from scratch, on MNIST"))
        #expect(report.contains("$$c_t = \\Gamma_u \\odot \\tilde{c}_t + \\Gamma_f \\odot c_{t-1}$$"))
        #expect(report.contains("```swift"))
        #expect(report.contains("struct TrainStage: Stage"))
        #expect(report.contains("Epoch 1/1, Loss: "))
        #expect(report.contains("Accuracy: "))
        #expect(report.contains("Training set: 2000 images"))
        #expect(report.contains("Prediction: "))
        for figure in ["visualize-batch/batch.png", "train/loss.png", "test/confusion.png", "predict/prediction.png"] {
            #expect(report.contains("](\(figure))"), "report does not show \(figure)")
        }

        // Second run: nothing to do, the report is rewritten all the same.
        try FileManager.default.removeItem(at: output.appendingPathComponent("report.md"))
        let second = try run()
        #expect(second.exitCode == 0)
        #expect(second.executed.isEmpty)
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("report.md").path))

        // A new prediction index reruns predict alone.
        let third = try run(["predict.index=7"])
        #expect(third.executed == ["predict"])

        // More epochs rerun train and everything downstream of it, nothing upstream.
        let fourth = try run(["predict.index=7", "train.epochs=2"])
        #expect(fourth.executed == ["train", "test", "predict"])
        let report4 = try String(contentsOf: output.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report4.contains("Epoch 2/2, Loss: "))

        // One stage on its own, from the cached upstream artifacts (--stage reruns it even
        // though it is fresh; --force would recompute its upstream stages too).
        let single = try run(["predict.index=7", "train.epochs=2"]) { $0.onlyStage = "predict" }
        #expect(single.executed == ["predict"])
    }

    @Test func weightsThatDoNotFitMNISTAreAClearErrorNamingTheFile() throws {
        defer { try? FileManager.default.removeItem(at: output) }
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let weights = output.appendingPathComponent("five-classes.safetensors")
        try SequenceClassifier(configuration: RecurrentConfiguration(cell: .lstm, inputSize: 28, hiddenSize: 4, outputSize: 5), seed: 1)
            .saveSafetensors(to: weights)
        // A folder beside the weights: nbrun refuses to write into a folder holding files it did not write.
        let result = try run(["load-data.train-limit=64", "load-data.test-limit=32", "build-model.weights=\(weights.path)"]) {
            $0.outputDirectory = output.appendingPathComponent("out")
        }
        #expect(result.exitCode != 0)
        guard case .failed(let error, _, _)? = result.outcomes["build-model"] else {
            Issue.record("build-model did not fail: \(String(describing: result.outcomes["build-model"]))")
            return
        }
        #expect(error.contains(weights.path) && error.contains("score 5 classes") && error.contains("needs 28"), "\(error)")
        #expect(result.outcomes["train"]?.completed != true)
    }

    @Test func anUnreadableCheckpointIsSetAsideAndTrainingStartsOver() throws {
        defer { try? FileManager.default.removeItem(at: output) }
        let settings = ["load-data.train-limit=64", "load-data.test-limit=32"]
        var options = RunOptions()
        options.outputDirectory = output
        let plans = try runner.status(manifest(settings), options: options)
        let train = try #require(plans.first { $0.stage.name == "train" })
        // Checkpoints are kept per variant.
        let damaged = output.appendingPathComponent(".resume/train-\(train.fingerprint)/epoch-0001")
        try FileManager.default.createDirectory(at: damaged, withIntermediateDirectories: true)
        try Data("{ not json".utf8).write(to: damaged.appendingPathComponent("checkpoint.json"))
        let result = try run(settings)
        #expect(result.exitCode == 0)
        let report = try String(contentsOf: output.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("Not resuming from the checkpoint in"))
        #expect(report.contains("cannot be read back"))
        #expect(report.contains("Epoch 1/1, Loss: "))
        #expect(!FileManager.default.fileExists(atPath: damaged.path))
    }

    @Test func seededRunsGiveByteIdenticalArtifacts() throws {
        let first = output.appendingPathComponent("a"), second = output.appendingPathComponent("b")
        defer { try? FileManager.default.removeItem(at: output) }
        for folder in [first, second] {
            let result = try run(["load-data.train-limit=300", "load-data.test-limit=100"]) {
                $0.outputDirectory = folder
            }
            #expect(result.exitCode == 0)
        }
        for (stage, name) in [("build-model", "model.safetensors"), ("train", "model.safetensors"),
                              ("train", "loss-history.json"), ("train", "loss.png"), ("test", "evaluation.json"),
                              ("test", "confusion.png"), ("visualize-batch", "batch.png"),
                              ("predict", "prediction.png")] {
            let a = try Data(contentsOf: first.appendingPathComponent(stage).appendingPathComponent(name))
            let b = try Data(contentsOf: second.appendingPathComponent(stage).appendingPathComponent(name))
            #expect(a == b, "\(stage)/\(name) differs between two runs with the same seed")
        }
    }
}

/// Editing library code reruns the stages that can reach it: the fingerprint of each stage
/// covers the modules its file imports and the modules the notebook's own helper files
/// import (LSTMArtifacts names the model artifact through NotebookTraining and
/// NeuralNetwork; NotebookError wraps NeuralNetwork's errors), each with its dependencies.
/// The helpers are taken as a whole, so every stage of this notebook reaches the network
/// code; a stage is never left fresh on code it may run.
@Test func eachStageIsFingerprintedWithTheLibrariesItCanReach() throws {
    let registry = try StageRegistry(plugins: [LSTMNotebookPlugin()])
    // The author API (NBRun) is code every stage calls, so it is part of every fingerprint.
    let helpers = ["AtomicFiles", "Figures", "LSTMNotebook", "MNIST", "MNISTNotebookData", "NBRun", "NeuralNetwork",
                   "NotebookTraining", "SafeText", "SeededRandom", "SwiftSourceScan"]
    let expected: [String: [String]] = [
        "lstm.load-data": helpers, "lstm.visualize-batch": helpers, "lstm.build-model": helpers,
        "lstm.train": helpers, "lstm.test": helpers, "lstm.predict": helpers,
    ]
    // The helper files' imports are recorded as the notebook module's dependencies.
    #expect(LSTMNotebookPlugin().libraryCode.dependencies["LSTMNotebook"] == ["AtomicFiles", "Figures", "MNIST",
                                                                              "MNISTNotebookData", "NBRun", "NeuralNetwork",
                                                                              "NotebookTraining", "SafeText", "SeededRandom",
                                                                              "SwiftSourceScan"])
    #expect(try #require(registry["lstm.load-data"]).source.contains("import NeuralNetwork") == false,
            "load-data reaches the network code only through the helpers")
    for (kind, modules) in expected {
        #expect(registry[kind]?.libraryModules == modules, "\(kind)")
    }
    let library = LSTMNotebookPlugin().libraryCode
    #expect(library.sources["NeuralNetwork"]?.contains("final class Trainer") == true)
    #expect(library.sources["MNIST"]?.contains("struct MNISTLoader") == true)
}
