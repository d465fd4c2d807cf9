import Figures
import MNIST
import MNISTNotebookData
import NBRun

/// Cell 2: the first images of a shuffled training batch, each titled with its label.
struct VisualizeBatchStage: Stage {
    static let summary = "Draw the first images of a shuffled training batch in a grid titled with their labels."
    static let batch = FigureOutput("batch.png")

    @Parameter(help: "Rows of the grid.", range: 1...16) var rows = 2
    @Parameter(help: "Columns of the grid.", range: 1...16) var columns = 8

    func run(_ context: StageContext) throws {
        let data = try NotebookData(context)
        let training = try data.trainingSet()

        // The first batch of the first epoch, as `next(iter(train_loader))` would draw it.
        let batch = data.trainingLoader(training).order(epoch: 0).prefix(rows * columns)
        let images = batch.map { Array(training.image($0)) }
        let titles = batch.map { "Label: \(training.labels[$0])" }

        let grid = Figure.digitGrid(images: images, titles: titles, rows: rows, columns: columns)
        try context.write(Self.batch, caption: "The first \(images.count) images of a shuffled training batch") {
            try PNGWriter.write(grid, to: $0)
        }
        context.print("Labels: \(batch.map { String(training.labels[$0]) }.joined(separator: " "))")
    }
}
