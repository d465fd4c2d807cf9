import Foundation
import MNIST
import NBRun

/// The two MNIST splits as a stage sees them, cut to the sizes `load-data` chose.
public struct NotebookData {
    public let description: DatasetDescription
    public let folder: URL

    public init(_ context: StageContext) throws {
        description = try context.read(DatasetDescription.artifact)
        // Resolved exactly as the runner resolved the `data` parameter for `load-data`.
        folder = ParameterValue.resolve(path: description.folder, against: context.notebookDirectory)
    }

    public func trainingSet() throws -> MNISTDataset {
        try MNISTDataset.load(.training, from: folder).firstImages(description.trainingCount)
    }

    public func testSet() throws -> MNISTDataset {
        try MNISTDataset.load(.test, from: folder).firstImages(description.testCount)
    }

    public func trainingLoader(_ training: MNISTDataset) -> MNISTLoader {
        MNISTLoader(dataset: training, batchSize: description.batchSize, shuffle: true, seed: description.seed)
    }
}

extension MNISTDataset {
    /// The first `limit` images (all of them when `limit` is 0 or more than there are).
    public func firstImages(_ limit: Int) -> MNISTDataset {
        limit == 0 ? self : slice(0..<Swift.min(limit, count))
    }

    /// Images `range` as Float pixels in [0, 1], image after image (row = time step).
    public func floatImages(_ range: Range<Int>) -> [Float] {
        let pixels = pixelsPerImage
        return images[range.lowerBound * pixels..<range.upperBound * pixels].map { Float($0) / 255 }
    }
}
