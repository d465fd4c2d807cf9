import Foundation
import MNIST
import NBRun

/// What `load-data` hands to the later cells (of either notebook): where the data is and how to batch it.
///
/// The images themselves are not copied into the cache (47 MB for nothing): the folder's
/// content hash is already part of `load-data`'s fingerprint, and every reader verifies
/// the decompressed files against their published SHA-256 as it loads them.
public struct DatasetDescription: Codable, Equatable, Sendable, ArtifactContent {
    /// The `data` parameter as written, relative to the manifest's folder unless absolute.
    public var folder: String
    public var batchSize: Int
    public var seed: UInt64
    public var trainingCount: Int
    public var testCount: Int
    public var trainingLabelCounts: [Int]
    public var testLabelCounts: [Int]
    /// Each image's height and width in pixels: a network reads one row of `imageColumns`
    /// pixels per step, for `imageRows` steps.
    public var imageRows: Int
    public var imageColumns: Int

    /// Written by `lstm.load-data`, read by every later stage of both notebooks.
    public static let artifact = Artifact<DatasetDescription>("dataset.json")

    /// How many classes the labels distinguish (the digits): a classifier scores each.
    public var classCount: Int { trainingLabelCounts.count }

    public var trainingBatchCount: Int { (trainingCount + batchSize - 1) / batchSize }
    public var testBatchCount: Int { (testCount + batchSize - 1) / batchSize }

    public init(
        folder: String, batchSize: Int, seed: UInt64, trainingCount: Int, testCount: Int,
        trainingLabelCounts: [Int], testLabelCounts: [Int], imageRows: Int, imageColumns: Int
    ) {
        self.folder = folder
        self.batchSize = batchSize
        self.seed = seed
        self.trainingCount = trainingCount
        self.testCount = testCount
        self.trainingLabelCounts = trainingLabelCounts
        self.testLabelCounts = testLabelCounts
        self.imageRows = imageRows
        self.imageColumns = imageColumns
    }

    public static func readArtifact(from url: URL) throws -> DatasetDescription {
        try JSONDecoder().decode(DatasetDescription.self, from: Data(contentsOf: url))
    }

    public func writeArtifact(to url: URL) throws {
        try jsonData().write(to: url)
    }
}
