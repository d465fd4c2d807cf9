import Figures
import Foundation
import MNIST
import MNISTNotebookData
import NBRun
import NeuralNetwork
import NotebookTraining

/// Experiment 1: the three cells trained alike (same data, seed, batches, optimiser, hidden
/// size and epochs), compared on size, speed, loss and test accuracy.
struct SameBudgetStage: Stage {
    static let summary = "Train an LSTM, a GRU and a plain RNN on the same budget; tabulate size, speed, loss and accuracy."
    static let loss = FigureOutput("same-budget-loss.png")

    @Parameter(help: "Hidden units of every cell.", range: 1...RecurrentConfiguration.maximumSize) var hiddenSize = 128
    @Parameter(help: "Passes over the training set, for every cell.", range: 1...100) var epochs = 2
    @Parameter(help: "Adam's step size.", range: 1e-6...1) var learningRate = 0.001
    @Parameter(help: "Seed of every cell's initial weights.", range: .seeds) var seed = 0

    struct Row: Codable, Equatable {
        var cell: String
        var parameters: Int
        var wallSecondsPerEpoch: Double
        var cpuSecondsPerEpoch: Double
        var finalLoss: Double
        var accuracy: Double
        var history: LossHistory
    }

    func run(_ context: StageContext) throws {
        let data = try NotebookData(context)
        let training = try data.trainingSet(), test = try data.testSet()
        let loader = data.trainingLoader(training)
        let sequences = RowSequences(training)

        var rows: [Row] = []
        for cell in ComparedCells.all {
            let configuration = RecurrentConfiguration(
                cell: cell, inputSize: training.columns, hiddenSize: hiddenSize, outputSize: data.description.classCount)
            let model = SequenceClassifier(configuration: configuration, seed: UInt64(seed))
            let run = RowClassifierTraining(context: context, sequences: sequences, label: cell.name)
            let result = try run.train(model, loader: loader, epochs: epochs,
                                       learningRate: Float(learningRate))
            let evaluation = run.evaluate(model, on: test)
            try context.write(model, to: ComparedCells.weights(cell))
            rows.append(Row(cell: cell.name, parameters: model.parameterCount,
                            wallSecondsPerEpoch: result.wallSecondsPerEpoch, cpuSecondsPerEpoch: result.cpuSecondsPerEpoch,
                            finalLoss: result.history.epochMeans.last ?? .nan, accuracy: evaluation.accuracy,
                            history: result.history))
            context.print("\(cell.name): \(epochs) epoch(s), last epoch's mean loss \((rows.last!.finalLoss).formatted4), "
                          + "test accuracy \(evaluation.accuracyPercent)%")
        }
        try context.writeArtifact(rows.jsonData(), named: "same-budget.json")

        context.print("")
        context.print("| cell | trainable parameters | s/epoch (wall) | s/epoch (CPU, all threads) | final loss | test accuracy |")
        context.print("|---|---:|---:|---:|---:|---:|")
        for row in rows {
            context.print("| \(row.cell) | \(row.parameters) | \(seconds(row.wallSecondsPerEpoch)) | "
                          + "\(seconds(row.cpuSecondsPerEpoch)) | \(row.finalLoss.formatted4) | \(percent(row.accuracy)) |")
        }
        context.print("")
        context.print(conclusions(rows, epochs: epochs, images: training.count))

        let palette = Color.palette
        let chart = Figure.lineChart(
            series: rows.enumerated().map { index, row in
                let smoothed = row.history.smoothed
                return ChartSeries(
                    name: row.cell,
                    points: smoothed.indices.map {
                        ChartPoint(x: Double($0 + 1) / Double(row.history.batchesPerEpoch), y: smoothed[$0])
                    },
                    color: palette[index % palette.count])
            },
            title: "Training loss, same budget (smoothed)", xLabel: "epoch", yLabel: "cross-entropy loss")
        try context.write(Self.loss, caption: "Training loss of the three cells, smoothed, on the same budget") {
            try PNGWriter.write(chart, to: $0)
        }
    }

    /// What the table shows, in words, from the numbers themselves.
    func conclusions(_ rows: [Row], epochs: Int, images: Int) -> String {
        let byCell = Dictionary(uniqueKeysWithValues: rows.map { ($0.cell, $0) })
        guard let lstm = byCell["LSTM"], let gru = byCell["GRU"], let rnn = byCell["RNN"] else { return "" }
        let ranked = rows.sorted { $0.accuracy > $1.accuracy }.map(\.cell)
        return """
            After \(epochs) epoch(s) of \(images) images, the LSTM reaches \(percent(lstm.accuracy)), \
            the GRU \(percent(gru.accuracy)) and the RNN \(percent(rnn.accuracy)) on the test set \
            (best first: \(ranked.joined(separator: ", "))).
            The GRU has \(percent(Double(gru.parameters) / Double(lstm.parameters))) of the LSTM's parameters \
            and the RNN \(percent(Double(rnn.parameters) / Double(lstm.parameters))).
            Per epoch, the GRU took \(String(format: "%.2f", gru.cpuSecondsPerEpoch / lstm.cpuSecondsPerEpoch))× \
            the LSTM's CPU time and the RNN \(String(format: "%.2f", rnn.cpuSecondsPerEpoch / lstm.cpuSecondsPerEpoch))× \
            (wall clock: \(String(format: "%.2f", gru.wallSecondsPerEpoch / lstm.wallSecondsPerEpoch))× and \
            \(String(format: "%.2f", rnn.wallSecondsPerEpoch / lstm.wallSecondsPerEpoch))×).
            """
    }
}
