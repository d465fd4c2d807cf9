import Figures
import Foundation
import MNIST
import MNISTNotebookData
import NBRun
import NeuralNetwork
import NotebookTraining

/// Cell 5: accuracy on the 10,000 test images, where the errors are, and what they look like.
struct TestStage: Stage {
    static let summary = "Measure accuracy on the test set; draw the confusion matrix and the misclassified digits."

    @Parameter(help: "How many misclassified digits to show.", range: 0...64) var misclassified = 16

    func run(_ context: StageContext) throws {
        let data = try NotebookData(context)
        let test = try data.testSet()
        let model = try context.read(LSTMArtifacts.model)

        let images = test.floatImages(0..<test.count)
        let predictions = images.withUnsafeBufferPointer {
            model.predict(sequences: $0, count: test.count, steps: test.rows, threads: context.threadCount).predictions
        }
        let evaluation = Evaluation(predictions: predictions, labels: test.labels.map(Int.init))
        context.print("Accuracy: \(evaluation.accuracyPercent)% (\(evaluation.correct) of \(evaluation.total))")
        try context.writeArtifact(evaluation.jsonData(), named: "metrics.json")
        try context.recordMetric("accuracy", evaluation.accuracy)

        try PNGWriter.write(Figure.confusionMatrixFigure(counts: evaluation.confusion, title: "Confusion matrix (test set)"),
                            to: context.outputURL(for: "confusion.png"))
        context.addFigure("confusion.png", caption: "Confusion matrix: rows are the true digits, columns the predictions")

        let wrong = evaluation.misclassified.prefix(misclassified)
        if !wrong.isEmpty {
            let grid = Figure.digitGrid(images: wrong.map { Array(test.image($0)) },
                                 titles: wrong.map { "P: \(predictions[$0]) T: \(test.labels[$0])" },
                                 rows: (wrong.count + 7) / 8, columns: min(8, wrong.count))
            try PNGWriter.write(grid, to: context.outputURL(for: "misclassified.png"))
            context.addFigure("misclassified.png", caption: "Misclassified test digits: prediction (P) and truth (T)")
        }
    }
}
