import Figures
import MNIST
import MNISTNotebookData
import NBRun
import NeuralNetwork

/// Cell 6: one test image and what the trained network reads in it.
struct PredictStage: Stage {
    static let summary = "Predict the digit of one test image and draw it titled with the prediction and the truth."
    static let prediction = FigureOutput("prediction.png")

    @Parameter(help: "Which test image to show.", range: 0...9_999) var index = 0

    func run(_ context: StageContext) throws {
        let data = try NotebookData(context)
        let test = try data.testSet()
        guard index < test.count else {
            throw NotebookError.indexOutOfRange(parameter: "index", value: index, count: test.count)
        }
        let model = try context.read(LSTMArtifacts.model)

        let image = test.floatImages(index..<index + 1)
        let predicted = image.withUnsafeBufferPointer {
            model.predict(sequences: $0, count: 1, steps: test.rows, threads: 1).predictions[0]
        }
        let truth = Int(test.labels[index])

        let title = "Prediction: \(predicted) | True Label: \(truth)"
        try context.write(Self.prediction, caption: title) {
            try PNGWriter.write(Figure.predictionFigure(image: Array(test.image(index)), title: title), to: $0)
        }
        context.print(title)
    }
}
