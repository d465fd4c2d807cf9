import Foundation
import MNIST
import Testing

/// A corpus of defective files, each expected to fail with one precise error.
@Suite("Defective MNIST files give typed errors naming the file")
struct HostileFileTests {
    let goodImages = IDXBuilder.numberedImages(count: 3, rows: 4, columns: 5)
    let goodLabels = IDXBuilder.labels([3, 1, 4])

    /// Loads the test split from files built by the test, without checksums (synthetic data).
    func load(images: [UInt8], labels: [UInt8], compressed: Bool = true) throws -> MNISTError? {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        try writeTestSplit(images: images, labels: labels, into: folder, compressed: compressed)
        return mnistError { _ = try MNISTDataset.load(.test, from: folder.url, verifyChecksums: false) }
    }

    @Test("well-formed synthetic files load, compressed or not")
    func wellFormed() throws {
        for compressed in [true, false] {
            let folder = try ScratchFolder()
            defer { folder.remove() }
            try writeTestSplit(images: goodImages, labels: goodLabels, into: folder, compressed: compressed)
            let dataset = try MNISTDataset.load(.test, from: folder.url, verifyChecksums: false)
            #expect(dataset.count == 3 && dataset.rows == 4 && dataset.columns == 5)
            #expect(dataset.labels == [3, 1, 4])
            #expect(Array(dataset.image(2)) == (0..<20).map { UInt8(20 + $0) })
        }
    }

    @Test("missing folder or file names what is expected where")
    func missingFiles() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let error = mnistError { _ = try MNISTDataset.load(.training, from: folder.url) }
        #expect(error == .missingFiles(folder: folder.url.path, split: "training",
                                       missing: ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"]))
        #expect(error!.description.contains("train-images-idx3-ubyte.gz"))
        #expect(error!.description.contains(folder.url.path))

        try folder.write(gzipCompress(goodImages), to: "t10k-images-idx3-ubyte.gz")
        let oneMissing = mnistError { _ = try MNISTDataset.load(.test, from: folder.url) }
        #expect(oneMissing == .missingFiles(folder: folder.url.path, split: "test",
                                            missing: ["t10k-labels-idx1-ubyte"]))
    }

    @Test("a .gz file that is not gzip")
    func notGzip() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        try folder.write(goodImages, to: "t10k-images-idx3-ubyte.gz")
        try folder.write(gzipCompress(goodLabels), to: "t10k-labels-idx1-ubyte.gz")
        let error = mnistError { _ = try MNISTDataset.load(.test, from: folder.url, verifyChecksums: false) }
        #expect(error == .notGzip(path: folder.url.appendingPathComponent("t10k-images-idx3-ubyte.gz").path,
                                  firstBytes: [0, 0, 8, 3]))
        #expect(error!.description.contains("00 00 08 03"))

        try folder.write([], to: "t10k-images-idx3-ubyte.gz")
        let empty = mnistError { _ = try MNISTDataset.load(.test, from: folder.url, verifyChecksums: false) }
        #expect(empty?.description.contains("is empty") == true)
    }

    @Test("a truncated gzip stream")
    func truncatedGzip() throws {
        let compressed = gzipCompress(goodImages)
        for keep in [compressed.count - 1, compressed.count - 8, compressed.count / 2, 12] {
            let folder = try ScratchFolder()
            defer { folder.remove() }
            try folder.write(Array(compressed.prefix(keep)), to: "t10k-images-idx3-ubyte.gz")
            try folder.write(gzipCompress(goodLabels), to: "t10k-labels-idx1-ubyte.gz")
            let error = mnistError { _ = try MNISTDataset.load(.test, from: folder.url, verifyChecksums: false) }
            guard case let .truncatedCompressedData(path)? = error else {
                Issue.record("keeping \(keep) of \(compressed.count) bytes: \(String(describing: error))")
                continue
            }
            #expect(path.hasSuffix("t10k-images-idx3-ubyte.gz"))
        }
    }

    @Test("damaged gzip data: a flipped bit in the deflate stream or CRC")
    func corruptGzip() throws {
        var compressed = gzipCompress(goodImages)
        compressed[compressed.count - 6] ^= 0x40  // inside the CRC-32 trailer
        let folder = try ScratchFolder()
        defer { folder.remove() }
        try folder.write(compressed, to: "t10k-images-idx3-ubyte.gz")
        try folder.write(gzipCompress(goodLabels), to: "t10k-labels-idx1-ubyte.gz")
        let error = mnistError { _ = try MNISTDataset.load(.test, from: folder.url, verifyChecksums: false) }
        guard case let .corruptCompressedData(path, detail)? = error else {
            Issue.record("expected damaged gzip data, got \(String(describing: error))")
            return
        }
        #expect(path.hasSuffix(".gz") && !detail.isEmpty)
    }

    @Test("a file shorter than its IDX header")
    func truncatedHeader() throws {
        let error = try load(images: Array(goodImages.prefix(10)), labels: goodLabels)
        guard case let .truncatedHeader(path, byteCount, headerSize)? = error else {
            Issue.record("got \(String(describing: error))")
            return
        }
        #expect(path.hasSuffix("t10k-images-idx3-ubyte.gz") && byteCount == 10 && headerSize == 16)
    }

    @Test("wrong magic: label and image files swapped, or random")
    func wrongMagic() throws {
        let swapped = try load(images: goodLabels, labels: goodImages)
        guard case let .wrongMagic(path, found, expected)? = swapped else {
            Issue.record("got \(String(describing: swapped))")
            return
        }
        #expect(path.hasSuffix("t10k-images-idx3-ubyte.gz") && found == 0x801 && expected == 0x803)
        #expect(swapped!.description.contains("0x00000801") && swapped!.description.contains("label file"))

        var other = goodImages
        other[2] = 0x0D  // float data
        let unknown = try load(images: other, labels: goodLabels, compressed: false)
        guard case let .wrongMagic(_, found: unknownMagic, expected: _)? = unknown else {
            Issue.record("got \(String(describing: unknown))")
            return
        }
        #expect(unknownMagic == 0xD03)
    }

    @Test("count or dimensions that do not match the data")
    func sizeMismatch() throws {
        // One pixel missing.
        let short = try load(images: Array(goodImages.dropLast()), labels: goodLabels)
        guard case let .sizeMismatch(_, header, expectedBytes, actualBytes)? = short else {
            Issue.record("got \(String(describing: short))")
            return
        }
        #expect(header == "3 images of 4 × 5" && expectedBytes == "60" && actualBytes == 59)
        // A count so large that count × rows × columns overflows.
        var huge = goodImages
        for i in 4..<16 { huge[i] = 0xFF }
        let overflow = try load(images: huge, labels: goodLabels)
        #expect(overflow?.description.contains("more than") == true)
        // Zero-sized images.
        let flat = try load(images: IDXBuilder.images(count: 3, rows: 0, columns: 5, pixels: []), labels: goodLabels)
        #expect(flat?.description.contains("0 × 5") == true)
        // Labels: an extra byte.
        let labels = try load(images: goodImages, labels: goodLabels + [7])
        #expect(labels?.description.contains("3 labels") == true)
    }

    @Test("images and labels of different counts")
    func countMismatch() throws {
        let error = try load(images: goodImages, labels: IDXBuilder.labels([1, 2]))
        guard case let .countMismatch(imagesPath, imageCount, labelsPath, labelCount)? = error else {
            Issue.record("got \(String(describing: error))")
            return
        }
        #expect(imageCount == 3 && labelCount == 2)
        #expect(imagesPath.hasSuffix("images-idx3-ubyte.gz") && labelsPath.hasSuffix("labels-idx1-ubyte.gz"))
    }

    @Test("a label that is not a digit")
    func labelOutOfRange() throws {
        let error = try load(images: goodImages, labels: IDXBuilder.labels([3, 10, 4]))
        guard case let .labelOutOfRange(_, index, value)? = error else {
            Issue.record("got \(String(describing: error))")
            return
        }
        #expect(index == 1 && value == 10)
    }

    @Test("a directory where a file should be is unreadable, not a crash")
    func directoryInsteadOfFile() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        try FileManager.default.createDirectory(
            at: folder.url.appendingPathComponent("t10k-images-idx3-ubyte"), withIntermediateDirectories: false)
        try folder.write(goodLabels, to: "t10k-labels-idx1-ubyte")
        let error = mnistError { _ = try MNISTDataset.load(.test, from: folder.url, verifyChecksums: false) }
        guard case let .unreadable(path, reason)? = error else {
            Issue.record("got \(String(describing: error))")
            return
        }
        #expect(path.hasSuffix("t10k-images-idx3-ubyte") && reason == "not a regular file")
    }

    @Test("a named pipe is refused instead of blocking the reader")
    func namedPipe() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let pipe = folder.url.appendingPathComponent("t10k-images-idx3-ubyte.gz").path
        try #require(mkfifo(pipe, 0o600) == 0)
        try folder.write(gzipCompress(goodLabels), to: "t10k-labels-idx1-ubyte.gz")
        let error = mnistError { _ = try MNISTDataset.load(.test, from: folder.url, verifyChecksums: false) }
        #expect(error == .unreadable(path: pipe, reason: "not a regular file"))
    }

    @Test("a gzip bomb stops at the size limit")
    func gzipBomb() throws {
        // 300 MB of zeros compress to about 300 kB.
        let zeros = [UInt8](repeating: 0, count: 300 << 20)
        let folder = try ScratchFolder()
        defer { folder.remove() }
        try folder.write(gzipCompress(zeros, level: 9), to: "t10k-images-idx3-ubyte.gz")
        try folder.write(gzipCompress(goodLabels), to: "t10k-labels-idx1-ubyte.gz")
        let error = mnistError { _ = try MNISTDataset.load(.test, from: folder.url, verifyChecksums: false) }
        guard case .tooLarge? = error else {
            Issue.record("got \(String(describing: error))")
            return
        }
    }
}
