import Foundation
import MNIST
import MNISTNotebookData
import NBRun

/// Cell 1: load MNIST and set up the batch loaders (batch 32, training set shuffled).
struct LoadDataStage: Stage {
    static let summary = "Load the MNIST training and test sets and set up their batch loaders."

    @Parameter(help: "Folder with the four MNIST IDX files (gzip or raw), relative to the manifest.")
    var data: NotebookPath = "data/mnist"
    @Parameter(help: "Images per batch.", range: 1...4096) var batchSize = 32
    @Parameter(help: "Seed of the training set's per-epoch shuffle.", range: .seeds) var seed = 0
    @Parameter(help: "Use only the first N training images (0 keeps all 60,000).", range: 0...60_000) var trainLimit = 0
    @Parameter(help: "Use only the first N test images (0 keeps all 10,000).", range: 0...10_000) var testLimit = 0

    func run(_ context: StageContext) throws {
        let folder = data.url
        let training = try MNISTDataset.load(.training, from: folder).firstImages(trainLimit)
        let test = try MNISTDataset.load(.test, from: folder).firstImages(testLimit)

        let description = DatasetDescription(
            folder: data.text,
            batchSize: batchSize,
            seed: UInt64(seed),
            trainingCount: training.count,
            testCount: test.count,
            trainingLabelCounts: training.labelCounts(),
            testLabelCounts: test.labelCounts(),
            imageRows: training.rows,
            imageColumns: training.columns)
        try context.write(description, to: DatasetDescription.artifact)

        context.print("Training set: \(training.count) images of \(training.rows)×\(training.columns), "
                      + "\(description.trainingBatchCount) shuffled batches of \(description.batchSize)")
        context.print("Test set:     \(test.count) images of \(test.rows)×\(test.columns), "
                      + "\(description.testBatchCount) batches of \(description.batchSize) in file order")
        context.print("Images per class (training): \(description.trainingLabelCounts.map(String.init).joined(separator: " "))")
    }
}
