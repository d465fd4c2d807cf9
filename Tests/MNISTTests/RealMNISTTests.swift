import Foundation
import MNIST
import Testing

@Suite("The MNIST files shipped in the repository")
struct RealMNISTTests {
    @Test("training set: 60 000 images of 28 × 28, checksums verified, label counts as published")
    func trainingSet() throws {
        let started = Date()
        let training = try MNISTDataset.load(.training, from: repositoryMNISTFolder)
        // Reported, not asserted: timing depends on the machine and the build configuration.
        print("MNIST training set: decompressed, verified and parsed in \(Date().timeIntervalSince(started)) s")
        #expect(training.count == 60_000)
        #expect(training.rows == 28 && training.columns == 28)
        #expect(training.images.count == 60_000 * 784)
        #expect(training.labelCounts() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        // The first training image is the famous "5"; its labels start 5 0 4 1 9.
        #expect(Array(training.labels.prefix(5)) == [5, 0, 4, 1, 9])
    }

    @Test("test set: 10 000 images, label counts as published, first labels 7 2 1 0 4")
    func testSet() throws {
        let test = try MNISTDataset.load(.test, from: repositoryMNISTFolder)
        #expect(test.count == 10_000)
        #expect(test.labelCounts() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
        #expect(Array(test.labels.prefix(5)) == [7, 2, 1, 0, 4])
        // Pixels are bytes with a black background: corners are empty, some strokes saturate.
        let first = test.image(0)
        #expect(first.first == 0 && first.last == 0)
        #expect(first.max() == 255)
    }

    @Test("the same files uncompressed load identically, checksums included")
    func uncompressedCopy() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let compressed = try MNISTDataset.load(.test, from: repositoryMNISTFolder)
        try folder.write(IDXBuilder.images(count: 10_000, rows: 28, columns: 28, pixels: compressed.images),
                         to: "t10k-images-idx3-ubyte")
        try folder.write(IDXBuilder.labels(compressed.labels), to: "t10k-labels-idx1-ubyte")
        let plain = try MNISTDataset.load(.test, from: folder.url)
        #expect(plain.images == compressed.images)
        #expect(plain.labels == compressed.labels)
    }

    @Test("a modified image file fails the checksum, naming the file and both hashes")
    func checksumMismatch() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let test = try MNISTDataset.load(.test, from: repositoryMNISTFolder)
        var pixels = test.images
        pixels[400] ^= 1
        try writeTestSplit(images: IDXBuilder.images(count: 10_000, rows: 28, columns: 28, pixels: pixels),
                           labels: IDXBuilder.labels(test.labels), into: folder, compressed: true)
        let error = mnistError { _ = try MNISTDataset.load(.test, from: folder.url) }
        guard case let .checksumMismatch(path, expected, actual)? = error else {
            Issue.record("expected a checksum mismatch, got \(String(describing: error))")
            return
        }
        #expect(path.hasSuffix("t10k-images-idx3-ubyte.gz"))
        #expect(expected == "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7")
        #expect(actual != expected && actual.count == 64)
        #expect(error!.description.contains(expected) && error!.description.contains(actual))
        // Without verification the same bytes load, for experiments on modified data.
        let loaded = try MNISTDataset.load(.test, from: folder.url, verifyChecksums: false)
        #expect(loaded.images == pixels)
    }

    @Test("slice keeps images aligned with their labels")
    func slice() throws {
        let test = try MNISTDataset.load(.test, from: repositoryMNISTFolder)
        let part = test.slice(100..<164)
        #expect(part.count == 64)
        #expect(part.labels == Array(test.labels[100..<164]))
        #expect(Array(part.image(0)) == Array(test.image(100)))
        #expect(Array(part.image(63)) == Array(test.image(163)))
    }
}
