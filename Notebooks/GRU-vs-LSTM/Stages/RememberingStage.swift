import Figures
import Foundation
import MNIST
import MNISTNotebookData
import NBRun
import NeuralNetwork
import NotebookTraining

/// Experiment 2: how long can each cell hold on to a digit? After the 28 rows of the image
/// come D blank rows, and only then is the network asked for the label. Each cell is trained
/// and tested at every D; the LSTM twice, with PyTorch's random forget-gate bias and with
/// the bias set to `forget-bias`.
struct RememberingStage: Stage {
    static let summary = "Train every cell with D blank rows after each digit, for each D, and plot test accuracy against D."
    static let accuracy = FigureOutput("remembering.png")

    /// The largest delay accepted: 28 + 500 steps already costs 19× an undelayed epoch.
    static let maximumDelay = 500

    @Parameter(help: "Blank rows after each digit, one experiment per value.", range: 0...maximumDelay)
    var delays = [0, 10, 20, 30, 40]
    @Parameter(help: "Training images per run (the first ones of the data stage's training set).", range: 1...60_000)
    var trainImages = 12_000
    @Parameter(help: "Test images per run (the first ones of the data stage's test set).", range: 1...10_000)
    var testImages = 2_000
    @Parameter(help: "Passes over the training images, per run.", range: 1...100) var epochs = 3
    @Parameter(help: "Hidden units of every cell.", range: 1...RecurrentConfiguration.maximumSize) var hiddenSize = 128
    @Parameter(help: "Adam's step size.", range: 1e-6...1) var learningRate = 0.001
    @Parameter(help: "Seed of every cell's initial weights.", range: .seeds) var seed = 0
    @Parameter(help: "Initial forget-gate bias of the second LSTM (x_t_f.bias; a_t_f.bias starts at 0).",
               range: -10...10)
    var forgetBias = 1.0

    /// One trained network at one delay.
    struct Run: Codable, Equatable {
        var variant: String
        var delay: Int
        var accuracy: Double
        var finalLoss: Double
        var wallSecondsPerEpoch: Double
    }

    func run(_ context: StageContext) throws {
        let delays = try Self.experimentOrder(of: self.delays)
        let data = try NotebookData(context)
        let training = try data.trainingSet().firstImages(trainImages)
        let test = try data.testSet().firstImages(testImages)
        let loader = data.trainingLoader(training)
        let hidden = hiddenSize
        let seed = UInt64(self.seed)
        let forgetBias = Float(self.forgetBias)
        let lstmWithBias = "LSTM, forget bias \(String(format: "%g", forgetBias))"
        let variants: [(name: String, cell: RecurrentCellKind, forgetBias: Float?)] = [
            ("RNN", .rnn, nil), ("GRU", .gru, nil), ("LSTM", .lstm, nil), (lstmWithBias, .lstm, forgetBias),
        ]
        context.print("\(training.count) training and \(test.count) test images, \(epochs) epoch(s) per run, "
                      + "hidden size \(hidden), delays \(delays.map(String.init).joined(separator: ", "))")

        var runs: [Run] = []
        for delay in delays {
            let sequences = RowSequences(training, blankRows: delay)
            for variant in variants {
                let model = SequenceClassifier(
                    configuration: RecurrentConfiguration(cell: variant.cell, inputSize: training.columns,
                                                          hiddenSize: hidden, outputSize: data.description.classCount),
                    seed: seed)
                if let bias = variant.forgetBias { try model.setGateBias("_f", to: bias) }
                let run = RowClassifierTraining(context: context, sequences: sequences, label: "\(variant.name), D = \(delay)")
                let result = try run.train(model, loader: loader, epochs: epochs,
                                           learningRate: Float(learningRate))
                let accuracy = run.evaluate(model, on: test).accuracy
                runs.append(Run(variant: variant.name, delay: delay, accuracy: accuracy,
                                finalLoss: result.history.epochMeans.last ?? .nan,
                                wallSecondsPerEpoch: result.wallSecondsPerEpoch))
            }
            func accuracy(_ name: String) -> String { percent(runs.last { $0.variant == name && $0.delay == delay }!.accuracy) }
            context.print("At D = \(delay) the RNN reaches \(accuracy("RNN")), the GRU \(accuracy("GRU")), "
                          + "the LSTM \(accuracy("LSTM")) (\(accuracy(lstmWithBias)) with its forget-gate bias at "
                          + "\(String(format: "%g", forgetBias))).")
        }
        try context.writeArtifact(runs.jsonData(), named: "remembering.json")
        context.print("")
        for variant in variants {
            context.print(holdSentence(variant.name, runs.filter { $0.variant == variant.name }))
        }

        let palette = Color.palette
        let chart = Figure.lineChart(
            series: variants.enumerated().map { index, variant in
                ChartSeries(name: variant.name,
                            points: runs.filter { $0.variant == variant.name }
                                .map { ChartPoint(x: Double($0.delay), y: $0.accuracy * 100) },
                            color: palette[index % palette.count])
            },
            title: "Test accuracy after D blank rows", xLabel: "D (blank rows between the digit and the answer)",
            yLabel: "test accuracy (%)", legend: .bottomLeft)
        try context.write(Self.accuracy, caption: "Test accuracy against the delay D, per cell") {
            try PNGWriter.write(chart, to: $0)
        }
    }

    /// Where a cell stops remembering: the longest delay at which it still keeps 90% of its
    /// accuracy without delay (chance is 10%), and what it scores at the longest delay.
    func holdSentence(_ name: String, _ runs: [Run]) -> String {
        guard let first = runs.first, let last = runs.last else { return "" }
        let kept = runs.filter { $0.accuracy >= 0.9 * first.accuracy }
        let longest = runs.prefix { $0.accuracy >= 0.9 * first.accuracy }.last
        var sentence = "\(name): \(percent(first.accuracy)) at D = \(first.delay), \(percent(last.accuracy)) at D = \(last.delay)"
        if let longest, longest.delay == last.delay {
            sentence += "; it keeps 90% of its undelayed accuracy at every delay tried."
        } else if let longest {
            sentence += "; it keeps 90% of its undelayed accuracy up to D = \(longest.delay) and no further"
            sentence += kept.count > runs.prefix { $0.accuracy >= 0.9 * first.accuracy }.count
                ? " (it recovers at some longer delays)." : "."
        } else {
            sentence += "."
        }
        return sentence
    }

    /// The delays in increasing order; none given, or one given twice, is an error rather
    /// than a silently shorter experiment.
    static func experimentOrder(of delays: [Int]) throws(ComparisonError) -> [Int] {
        guard !delays.isEmpty else { throw .noDelays(parameter: "delays") }
        if let repeated = delays.first(where: { delay in delays.filter { $0 == delay }.count > 1 }) {
            throw .repeatedDelay(parameter: "delays", delay: repeated)
        }
        return delays.sorted()
    }
}
