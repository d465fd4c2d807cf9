internal import Crypto
import Foundation
import SafeText

/// One split of MNIST held in memory as bytes, exactly as stored in the IDX files.
///
/// Images stay `UInt8` (47 MB for the training set rather than 188 MB as Float);
/// ``MNISTEpoch/fill(batch:images:labels:)`` converts each batch as it is drawn.
public struct MNISTDataset: Sendable {
    /// `count × rows × columns` pixel intensities, 0 (background) to 255 (ink), row-major.
    public let images: [UInt8]
    /// `count` labels, each a digit 0-9.
    public let labels: [UInt8]
    public let count: Int
    public let rows: Int
    public let columns: Int

    /// Pixels per image.
    public var pixelsPerImage: Int { rows * columns }

    /// Builds a dataset from bytes already in memory, e.g. a synthetic set in tests.
    ///
    /// - Precondition: `images.count == labels.count * rows * columns`, labels in 0...9.
    public init(images: [UInt8], labels: [UInt8], rows: Int, columns: Int) {
        precondition(rows > 0 && columns > 0, "MNISTDataset needs positive dimensions")
        precondition(images.count == labels.count * rows * columns,
                     "MNISTDataset: \(images.count) pixels for \(labels.count) images of \(rows) × \(columns)")
        precondition(labels.allSatisfy { $0 < 10 }, "MNISTDataset: labels must be digits 0-9")
        self.images = images
        self.labels = labels
        self.count = labels.count
        self.rows = rows
        self.columns = columns
    }

    /// Loads one split from `folder`, which must hold the two canonical files of that
    /// split, each either gzip-compressed (`<name>.gz`, preferred when both exist) or not.
    ///
    /// With `verifyChecksums`, the decompressed bytes must have the SHA-256 of the
    /// published MNIST files, so a silently different data set cannot produce results
    /// that look comparable to the reference.
    public static func load(
        _ split: MNISTSplit, from folder: URL, verifyChecksums: Bool = true
    ) throws(MNISTError) -> MNISTDataset {
        let imagesPath = locate(split.imagesFileName, in: folder)
        let labelsPath = locate(split.labelsFileName, in: folder)
        let missing = [(split.imagesFileName, imagesPath), (split.labelsFileName, labelsPath)]
            .filter { $0.1 == nil }.map(\.0)
        guard let imagesPath, let labelsPath else {
            throw .missingFiles(folder: folder.path, split: split.rawValue, missing: missing)
        }

        let imageBytes = try read(imagesPath, expectedSHA256: verifyChecksums ? split.imagesSHA256 : nil)
        let labelBytes = try read(labelsPath, expectedSHA256: verifyChecksums ? split.labelsSHA256 : nil)
        return try assemble(imageBytes: imageBytes, imagesPath: imagesPath,
                            labelBytes: labelBytes, labelsPath: labelsPath)
    }

    /// Parses and cross-checks an image file and a label file already decompressed.
    static func assemble(
        imageBytes: [UInt8], imagesPath: String, labelBytes: [UInt8], labelsPath: String
    ) throws(MNISTError) -> MNISTDataset {
        let images = try IDXFile(parsing: imageBytes, as: .images, path: imagesPath)
        let labels = try IDXFile(parsing: labelBytes, as: .labels, path: labelsPath)
        guard images.count == labels.count else {
            throw .countMismatch(imagesPath: imagesPath, imageCount: images.count,
                                 labelsPath: labelsPath, labelCount: labels.count)
        }
        if let bad = labels.data.firstIndex(where: { $0 > 9 }) {
            throw .labelOutOfRange(path: labelsPath, index: bad, value: labels.data[bad])
        }
        return MNISTDataset(images: images.data, labels: labels.data, rows: images.rows, columns: images.columns)
    }

    /// The first element of `range` becomes image 0 of the result; used to run the
    /// pipeline end to end on a few hundred examples.
    public func slice(_ range: Range<Int>) -> MNISTDataset {
        precondition(range.lowerBound >= 0 && range.upperBound <= count,
                     "MNISTDataset.slice: \(range) is outside 0..<\(count)")
        if range == 0..<count { return self }
        let pixels = pixelsPerImage
        return MNISTDataset(
            images: Array(images[range.lowerBound * pixels..<range.upperBound * pixels]),
            labels: Array(labels[range]), rows: rows, columns: columns)
    }

    /// The pixels of one image, row-major.
    public func image(_ index: Int) -> ArraySlice<UInt8> {
        precondition(index >= 0 && index < count, "MNISTDataset.image: \(index) is outside 0..<\(count)")
        return images[index * pixelsPerImage..<(index + 1) * pixelsPerImage]
    }

    /// How many examples of each digit, indexed by digit.
    public func labelCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: 10)
        for label in labels { counts[Int(label)] += 1 }
        return counts
    }

    private static func locate(_ name: String, in folder: URL) -> String? {
        let manager = FileManager.default
        for candidate in [name + ".gz", name] {
            let path = folder.appendingPathComponent(candidate).path
            if manager.fileExists(atPath: path) { return path }
        }
        return nil
    }

    private static func read(_ path: String, expectedSHA256: String?) throws(MNISTError) -> [UInt8] {
        let bytes = try CompressedFileReader.readAll(at: path, requireGzip: path.hasSuffix(".gz"))
        if let expectedSHA256 {
            let actual = Hex.string(SHA256.hash(data: bytes))
            guard actual == expectedSHA256 else {
                throw .checksumMismatch(path: path, expected: expectedSHA256, actual: actual)
            }
        }
        return bytes
    }
}
