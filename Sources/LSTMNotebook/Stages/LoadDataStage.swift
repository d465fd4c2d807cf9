import Foundation
import MNIST
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
        let batchSize = context.parameters.int("batch-size")

        func limited(_ set: MNISTDataset, _ limit: Int) -> MNISTDataset {
            limit == 0 ? set : set.slice(0..<min(limit, set.count))
        }
        let training = limited(try MNISTDataset.load(.training, from: folder), context.parameters.int("train-limit"))
        let test = limited(try MNISTDataset.load(.test, from: folder), context.parameters.int("test-limit"))

        let description = DatasetDescription(
            folder: context.parameters.string("data"),
            batchSize: batchSize,
            seed: UInt64(context.parameters.int("seed")),
            trainingCount: training.count,
            testCount: test.count,
            trainingLabelCounts: training.labelCounts(),
            testLabelCounts: test.labelCounts())
        try description.write(to: context)

        let trainLoader = MNISTLoader(dataset: training, batchSize: batchSize, shuffle: true, seed: description.seed)
        let testLoader = MNISTLoader(dataset: test, batchSize: batchSize, shuffle: false, seed: 0)
        context.print("Training set: \(training.count) images of \(training.rows)×\(training.columns), "
                      + "\(trainLoader.batchCount) shuffled batches of \(batchSize)")
        context.print("Test set:     \(test.count) images of \(test.rows)×\(test.columns), "
                      + "\(testLoader.batchCount) batches of \(batchSize) in file order")
        context.print("Images per class (training): \(training.labelCounts().map(String.init).joined(separator: " "))")
    }
}
