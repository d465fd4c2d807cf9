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

    func write(to context: StageContext) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try context.writeArtifact(encoder.encode(self), named: Self.artifactName)
    }

    static func read(from context: StageContext) throws -> DatasetDescription {
        let url = try context.inputArtifact(artifactName)
        return try JSONDecoder().decode(DatasetDescription.self, from: Data(contentsOf: url))
    }

    func folderURL(relativeTo notebookDirectory: URL) -> URL {
        folder.hasPrefix("/")
            ? URL(fileURLWithPath: folder)
            : notebookDirectory.appendingPathComponent(folder)
    }
}

/// The two MNIST splits as a stage sees them, cut to the sizes `load-data` chose.
struct NotebookData {
    let description: DatasetDescription
    let folder: URL

    init(_ context: StageContext) throws {
        description = try DatasetDescription.read(from: context)
        folder = description.folderURL(relativeTo: context.notebookDirectory)
    }

    func trainingSet() throws -> MNISTDataset {
        try MNISTDataset.load(.training, from: folder).slice(0..<description.trainingCount)
    }

    func testSet() throws -> MNISTDataset {
        try MNISTDataset.load(.test, from: folder).slice(0..<description.testCount)
    }

    func trainingLoader(_ training: MNISTDataset) -> MNISTLoader {
        MNISTLoader(dataset: training, batchSize: description.batchSize, shuffle: true, seed: description.seed)
    }

    func testLoader(_ test: MNISTDataset) -> MNISTLoader {
        MNISTLoader(dataset: test, batchSize: description.batchSize, shuffle: false, seed: 0)
    }
}

extension MNISTDataset {
    /// Images `range` as Float pixels in [0, 1], image after image (row = time step).
    func floatImages(_ range: Range<Int>) -> [Float] {
        let pixels = pixelsPerImage
        return images[range.lowerBound * pixels..<range.upperBound * pixels].map { Float($0) / 255 }
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
