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

extension Encodable {
    /// The notebook's one JSON form for artifacts and checkpoints: sorted keys, so that the
    /// same values always give the same bytes.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

/// One batch's pixels and labels, allocated once per training run and refilled for every
/// batch, so the training loop allocates nothing.
public final class BatchBuffers {
    public let images: UnsafeMutableBufferPointer<Float>
    public let labels: UnsafeMutableBufferPointer<Int32>

    public init(batchSize: Int, pixelsPerImage: Int) {
        images = .allocate(capacity: batchSize * pixelsPerImage)
        images.initialize(repeating: 0)
        labels = .allocate(capacity: batchSize)
        labels.initialize(repeating: 0)
    }

    deinit {
        images.deallocate()
        labels.deallocate()
    }
}
