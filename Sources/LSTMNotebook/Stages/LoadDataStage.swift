import Foundation
import MNIST
import MNISTNotebookData
import NBRunCore

/// Cell 1: load MNIST and set up the batch loaders (batch 32, training set shuffled).
struct LoadDataStage: Stage {
    static let kind = "lstm.load-data"
    static let summary = "Load the MNIST training and test sets and set up their batch loaders."
    static let sourceFileName = "LoadDataStage.swift"
    static let parameters = [
        ParameterSpec("data", .path, default: .path("data/mnist"),
                      "Folder with the four MNIST IDX files (gzip or raw), relative to the manifest."),
        ParameterSpec("batch-size", .integer(1...4096), default: .integer(32), "Images per batch."),
        ParameterSpec("seed", .integer(0...4_294_967_295), default: .integer(0),
                      "Seed of the training set's per-epoch shuffle."),
        ParameterSpec("train-limit", .integer(0...60_000), default: .integer(0),
                      "Use only the first N training images (0 keeps all 60,000)."),
        ParameterSpec("test-limit", .integer(0...10_000), default: .integer(0),
                      "Use only the first N test images (0 keeps all 10,000)."),
    ]

    func run(_ context: StageContext) throws {
        let folder = context.parameters.url("data")!
        let training = try MNISTDataset.load(.training, from: folder).firstImages(context.parameters.int("train-limit"))
        let test = try MNISTDataset.load(.test, from: folder).firstImages(context.parameters.int("test-limit"))

        let data = DatasetDescription(
            folder: context.parameters.string("data"),
            batchSize: context.parameters.int("batch-size"),
            seed: UInt64(context.parameters.int("seed")),
            trainingCount: training.count,
            testCount: test.count,
            trainingLabelCounts: training.labelCounts(),
            testLabelCounts: test.labelCounts())
        try data.write(to: context)

        context.print("Training set: \(training.count) images of \(training.rows)×\(training.columns), "
                      + "\(data.trainingBatchCount) shuffled batches of \(data.batchSize)")
        context.print("Test set:     \(test.count) images of \(test.rows)×\(test.columns), "
                      + "\(data.testBatchCount) batches of \(data.batchSize) in file order")
        context.print("Images per class (training): \(data.trainingLabelCounts.map(String.init).joined(separator: " "))")
    }
}
