import CZlib
import Foundation
import MNIST
import Testing

/// The repository's MNIST folder, found from this file's location so that tests run
/// the same from any working directory.
let repositoryMNISTFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Notebooks/data/mnist")

/// Builds IDX files byte by byte, so tests can produce any header, valid or not.
enum IDXBuilder {
    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func images(count: Int, rows: Int, columns: Int, pixels: [UInt8]) -> [UInt8] {
        bigEndian(0x803) + bigEndian(UInt32(count)) + bigEndian(UInt32(rows)) + bigEndian(UInt32(columns)) + pixels
    }

    static func labels(_ labels: [UInt8]) -> [UInt8] {
        bigEndian(0x801) + bigEndian(UInt32(labels.count)) + labels
    }

    /// Image `i` has pixel `p` equal to `i * 10 + p`, so tests can tell images apart.
    static func numberedImages(count: Int, rows: Int, columns: Int) -> [UInt8] {
        var pixels: [UInt8] = []
        for image in 0..<count {
            for pixel in 0..<(rows * columns) { pixels.append(UInt8((image * 10 + pixel) % 256)) }
        }
        return images(count: count, rows: rows, columns: columns, pixels: pixels)
    }
}

/// gzip-compresses in memory through zlib's deflate (window bits 15 + 16 select the gzip wrapper).
func gzipCompress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
    var stream = z_stream()
    let status = deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                               ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    precondition(status == Z_OK, "deflateInit2 failed: \(status)")
    defer { deflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 32)
    var input = bytes
    let written: Int = input.withUnsafeMutableBufferPointer { source in
        output.withUnsafeMutableBufferPointer { destination in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            stream.next_out = destination.baseAddress
            stream.avail_out = uInt(destination.count)
            let result = deflate(&stream, Z_FINISH)
            precondition(result == Z_STREAM_END, "deflate did not finish: \(result)")
            return destination.count - Int(stream.avail_out)
        }
    }
    return Array(output[0..<written])
}

/// A fresh folder under the system's temporary directory, removed by `remove()`.
struct ScratchFolder {
    let url: URL

    init(_ label: String = "mnist") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("nbrun-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Plain POSIX writes: Foundation's `Data.write` syncs to disk, which made the fuzzer
    /// wait on the disk rather than exercise the reader.
    func write(_ bytes: [UInt8], to name: String) throws {
        let path = url.appendingPathComponent(name).path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Writes the test split's two files into `folder`, compressed or not.
func writeTestSplit(images: [UInt8], labels: [UInt8], into folder: ScratchFolder, compressed: Bool) throws {
    let suffix = compressed ? ".gz" : ""
    for name in ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
        try? FileManager.default.removeItem(at: folder.url.appendingPathComponent(name))
    }
    try folder.write(compressed ? gzipCompress(images) : images, to: "t10k-images-idx3-ubyte" + suffix)
    try folder.write(compressed ? gzipCompress(labels) : labels, to: "t10k-labels-idx1-ubyte" + suffix)
}

/// Runs `body` and returns the MNISTError it throws, or nil if it succeeds.
func mnistError(_ body: () throws -> Void) -> MNISTError? {
    do {
        try body()
        return nil
    } catch let error as MNISTError {
        return error
    } catch {
        Issue.record("expected an MNISTError, got \(type(of: error)): \(error)")
        return nil
    }
}
