import Foundation
import MNIST
import NBRunCore

/// What `load-data` hands to the later cells: where the data is and how to batch it.
///
/// The images themselves are not copied into the cache (47 MB for nothing): the folder's
/// content hash is already part of `load-data`'s fingerprint, and every reader verifies
/// the decompressed files against their published SHA-256 as it loads them.
struct DatasetDescription: Codable, Equatable {
    /// The `data` parameter as written, relative to the manifest's folder unless absolute.
    var folder: String
    var batchSize: Int
    var seed: UInt64
    var trainingCount: Int
    var testCount: Int
    var trainingLabelCounts: [Int]
    var testLabelCounts: [Int]

    static let artifactName = "dataset.json"

    var trainingBatchCount: Int { (trainingCount + batchSize - 1) / batchSize }
    var testBatchCount: Int { (testCount + batchSize - 1) / batchSize }

    func write(to context: StageContext) throws {
        try context.writeArtifact(jsonData(), named: Self.artifactName)
    }

    static func read(from context: StageContext) throws -> DatasetDescription {
        let url = try context.inputArtifact(artifactName)
        return try JSONDecoder().decode(DatasetDescription.self, from: Data(contentsOf: url))
    }
}

/// The two MNIST splits as a stage sees them, cut to the sizes `load-data` chose.
struct NotebookData {
    let description: DatasetDescription
    let folder: URL

    init(_ context: StageContext) throws {
        description = try DatasetDescription.read(from: context)
        // Resolved exactly as the runner resolved the `data` parameter for `load-data`.
        folder = ParameterValue.resolve(path: description.folder, against: context.notebookDirectory)
    }

    func trainingSet() throws -> MNISTDataset {
        try MNISTDataset.load(.training, from: folder).firstImages(description.trainingCount)
    }

    func testSet() throws -> MNISTDataset {
        try MNISTDataset.load(.test, from: folder).firstImages(description.testCount)
    }

    func trainingLoader(_ training: MNISTDataset) -> MNISTLoader {
        MNISTLoader(dataset: training, batchSize: description.batchSize, shuffle: true, seed: description.seed)
    }
}

extension MNISTDataset {
    /// The first `limit` images (all of them when `limit` is 0 or more than there are).
    func firstImages(_ limit: Int) -> MNISTDataset {
        limit == 0 ? self : slice(0..<Swift.min(limit, count))
    }

    /// Images `range` as Float pixels in [0, 1], image after image (row = time step).
    func floatImages(_ range: Range<Int>) -> [Float] {
        let pixels = pixelsPerImage
        return images[range.lowerBound * pixels..<range.upperBound * pixels].map { Float($0) / 255 }
    }
}

extension Encodable {
    /// The notebook's one JSON form for artifacts and checkpoints: sorted keys, so that the
    /// same values always give the same bytes.
    func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

/// One batch's pixels and labels, allocated once per training run and refilled for every
/// batch, so the training loop allocates nothing.
final class BatchBuffers {
    let images: UnsafeMutableBufferPointer<Float>
    let labels: UnsafeMutableBufferPointer<Int32>

    init(batchSize: Int, pixelsPerImage: Int) {
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
