import Figures
import Foundation
@testable import GRUvsLSTMNotebook
import LSTMNotebook
import NBRunEngine
import NeuralNetwork
import Testing

/// The GRU-vs-LSTM notebook, run in-process on a slice small enough for a debug build
/// (320 training and 64 test images, hidden size 4, one epoch, delays of 0 and 3). What it
/// measures at full size is in the README; here: every stage runs and writes what it says,
/// the printed conclusions are the measured numbers, and caching reruns only what changed.
@Suite(.serialized)
struct ComparisonNotebookTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let manifestURL = repository.appendingPathComponent("Notebooks/GRU-vs-LSTM.manifest")
    static let smallSlice = [
        "load-data.train-limit=320", "load-data.test-limit=64",
        "same-budget.hidden-size=4", "same-budget.epochs=1", "same-budget.learning-rate=0.01",
        "remembering.delays=3, 0", "remembering.train-images=160", "remembering.test-images=32",
        "remembering.epochs=1", "remembering.hidden-size=4", "vanishing-gradient.images=16",
    ]

    let output: URL
    let runner: Runner

    init() throws {
        output = FileManager.default.temporaryDirectory.appendingPathComponent("nbrun-compare-\(UUID().uuidString)")
        runner = Runner(registry: try StageRegistry(plugins: [LSTMNotebookPlugin(), GRUvsLSTMNotebookPlugin()]),
                        console: .recording())
    }

    func run(_ extra: [String] = []) throws -> RunResult {
        var settings: [String: String] = [:], order: [String] = []
        for setting in Self.smallSlice + extra {
            let key = String(setting.prefix { $0 != "=" })
            if settings.updateValue(setting, forKey: key) == nil { order.append(key) }
        }
        let overrides = try order.map { try ParameterOverride(parsing: settings[$0]!) }
        var options = RunOptions()
        options.outputDirectory = output
        options.threadCount = 2
        return try runner.run(try runner.loadManifest(Self.manifestURL, overrides: overrides), options: options)
    }

    func json<T: Decodable>(_ type: T.Type, _ stage: String, _ name: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(contentsOf: output.appendingPathComponent(stage).appendingPathComponent(name)))
    }

    @Test func everyExperimentRunsPrintsItsMeasurementsAndCachesOnItsOwn() throws {
        defer { try? FileManager.default.removeItem(at: output) }
        let first = try run()
        #expect(first.exitCode == 0)
        #expect(first.executed == ["load-data", "same-budget", "remembering", "vanishing-gradient"])

        for (stage, figure) in [("same-budget", "same-budget-loss.png"), ("remembering", "remembering.png"),
                                ("vanishing-gradient", "vanishing-gradient.png")] {
            let image = try PNGReader.read(from: output.appendingPathComponent(stage).appendingPathComponent(figure))
            #expect(image.width > 50 && image.height > 50, "\(stage)/\(figure)")
        }
        let report = try String(contentsOf: output.appendingPathComponent("report.md"), encoding: .utf8)

        // Same budget: one row per cell, with the trained model's own parameter count.
        let rows = try json([SameBudgetStage.Row].self, "same-budget", "same-budget.json")
        #expect(rows.map(\.cell) == ["LSTM", "GRU", "RNN"])
        for row in rows {
            let model = try SequenceClassifier.loadSafetensors(
                from: output.appendingPathComponent("same-budget").appendingPathComponent("\(row.cell.lowercased()).safetensors"))
            #expect(model.configuration.cell.name == row.cell && model.configuration.hiddenSize == 4)
            #expect(row.parameters == model.parameterCount)
            #expect(row.history.batchLosses.count == 10 && row.finalLoss.isFinite && row.cpuSecondsPerEpoch > 0)
            #expect(report.contains("| \(row.cell) | \(row.parameters) |"))
        }
        #expect(report.contains("the LSTM reaches \(percent(rows[0].accuracy)), the GRU \(percent(rows[1].accuracy)) "
                                + "and the RNN \(percent(rows[2].accuracy))"))

        // Remembering: every variant at every delay (sorted), and the sentence per delay.
        let runs = try json([RememberingStage.Run].self, "remembering", "remembering.json")
        #expect(runs.map(\.delay) == [0, 0, 0, 0, 3, 3, 3, 3])
        #expect(Set(runs.map(\.variant)) == ["RNN", "GRU", "LSTM", "LSTM, forget bias 1"])
        for delay in [0, 3] {
            let at = Dictionary(uniqueKeysWithValues: runs.filter { $0.delay == delay }.map { ($0.variant, $0.accuracy) })
            #expect(report.contains("At D = \(delay) the RNN reaches \(percent(at["RNN"]!)), the GRU \(percent(at["GRU"]!)), "
                                    + "the LSTM \(percent(at["LSTM"]!)) (\(percent(at["LSTM, forget bias 1"]!)) "
                                    + "with its forget-gate bias at 1)."))
        }

        // Vanishing gradient: untrained and trained curves per cell, one norm per row.
        let curves = try json([VanishingGradientStage.Curve].self, "vanishing-gradient", "gradient-norms.json")
        #expect(curves.map(\.cell) == ["LSTM", "LSTM", "GRU", "GRU", "RNN", "RNN"])
        #expect(curves.allSatisfy { $0.norms.count == 28 && $0.norms.allSatisfy { $0 > 0 && $0.isFinite } })

        // A new list of delays reruns the remembering experiment and nothing else.
        let second = try run(["remembering.delays=0, 5"])
        #expect(second.exitCode == 0)
        #expect(second.executed == ["remembering"])
        #expect(try json([RememberingStage.Run].self, "remembering", "remembering.json").map(\.delay).contains(5))

        // A list the stage cannot use (a delay given twice) fails that stage alone, naming
        // the parameter and the value; the previous complete result is still there.
        let bad = try run(["remembering.delays=0,3,0"])
        #expect(bad.exitCode != 0)
        guard case .failed(let error, _, _)? = bad.outcomes["remembering"] else {
            Issue.record("remembering did not fail: \(String(describing: bad.outcomes["remembering"]))")
            return
        }
        #expect(error.contains("parameter 'delays' gives the delay 0 twice"), "\(error)")
        #expect(try json([RememberingStage.Run].self, "remembering", "remembering.json").map(\.delay).contains(5))
    }

    /// `delays` is a list of integers: an element that is not one, or is out of range, is
    /// refused before anything runs, naming the `--set` argument and the element.
    @Test func aDelayListIsReadStrictly() throws {
        #expect(try RememberingStage.experimentOrder(of: [100, 0, 25, 50]) == [0, 25, 50, 100])
        #expect(try RememberingStage.experimentOrder(of: [7]) == [7])
        #expect(throws: ComparisonError.noDelays(parameter: "delays")) { try RememberingStage.experimentOrder(of: []) }
        #expect(throws: ComparisonError.repeatedDelay(parameter: "delays", delay: 3)) {
            try RememberingStage.experimentOrder(of: [3, 1, 3])
        }
        for (text, fragment) in [("0, x", "expects integer in 0...500, found 'x'"), ("0,,5", "expects integer in 0...500, found ''"),
                                 ("0, 2.5", "found '2.5'"), ("-1", "= -1 is out of range 0...500"),
                                 ("[0, 501]", "= 501 is out of range 0...500")] {
            do {
                _ = try run(["remembering.delays=\(text)"])
                Issue.record("remembering.delays=\(text) was accepted")
            } catch {
                let message = "\(error)"
                #expect(message.contains("--set remembering.delays=\(text): ") && message.contains(fragment), "\(message)")
            }
        }
    }

    @Test func theStagesAreFingerprintedWithTheSharedHelpers() throws {
        let registry = try StageRegistry(plugins: [LSTMNotebookPlugin(), GRUvsLSTMNotebookPlugin()])
        let shared = ["AtomicFiles", "Figures", "GRUvsLSTMNotebook", "MNIST", "MNISTNotebookData", "NBRun", "NeuralNetwork",
                      "NotebookTraining", "SafeText", "SeededRandom", "SwiftSourceScan"]
        for kind in ["compare.same-budget", "compare.remembering", "compare.vanishing-gradient"] {
            #expect(registry[kind]?.libraryModules == shared, "\(kind)")
        }
    }
}
