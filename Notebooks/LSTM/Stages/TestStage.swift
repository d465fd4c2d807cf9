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
    static let confusion = FigureOutput("confusion.png")
    static let misclassifiedDigits = FigureOutput("misclassified.png")

    @Parameter(help: "How many misclassified digits to show.", range: 0...64) var misclassified = 16

    func run(_ context: StageContext) throws {
        let data = try NotebookData(context)
        let test = try data.testSet()
        let model = try context.read(LSTMArtifacts.model)

        let images = test.floatImages(0..<test.count)
        let predictions = images.withUnsafeBufferPointer {
            model.predict(sequences: $0, count: test.count, steps: test.rows, threads: context.threadCount).predictions
        }
        let evaluation = Evaluation(predictions: predictions, labels: test.labels.map(Int.init),
                                    classes: model.configuration.outputSize)
        context.print("Accuracy: \(evaluation.accuracyPercent)% (\(evaluation.correct) of \(evaluation.total))")
        try context.recordMetric("accuracy", evaluation.accuracy)
        try context.write(evaluation, to: LSTMArtifacts.evaluation)

        try context.write(Self.confusion, caption: "Confusion matrix: rows are the true digits, columns the predictions") {
            try PNGWriter.write(Figure.confusionMatrixFigure(counts: evaluation.confusion, title: "Confusion matrix (test set)"), to: $0)
        }

        let wrong = evaluation.misclassified.prefix(misclassified)
        if !wrong.isEmpty {
            let grid = Figure.digitGrid(images: wrong.map { Array(test.image($0)) },
                                 titles: wrong.map { "P: \(predictions[$0]) T: \(test.labels[$0])" },
                                 rows: (wrong.count + 7) / 8, columns: min(8, wrong.count))
            try context.write(Self.misclassifiedDigits, caption: "Misclassified test digits: prediction (P) and truth (T)") {
                try PNGWriter.write(grid, to: $0)
            }
        }
    }
}
