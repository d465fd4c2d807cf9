import SafeText

/// Everything that can be wrong with an MNIST folder or one of its files.
///
/// Each case carries the path of the file at fault so that the message alone
/// is enough to find and fix the problem.
public enum MNISTError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Neither the compressed nor the uncompressed form of a required file exists.
    case missingFiles(folder: String, split: String, missing: [String])
    /// The file exists but could not be opened or read (permissions, a directory, I/O error).
    case unreadable(path: String, reason: String)
    /// A file whose name ends in `.gz` does not start with the gzip magic bytes 1f 8b.
    case notGzip(path: String, firstBytes: [UInt8])
    /// The gzip stream ends before its end-of-stream marker.
    case truncatedCompressedData(path: String)
    /// The gzip stream is damaged (bad deflate data, CRC or length mismatch).
    case corruptCompressedData(path: String, detail: String)
    /// The file decompresses to more than the reader accepts, which guards against gzip bombs.
    case tooLarge(path: String, limit: Int)
    /// Fewer bytes than the IDX header needs.
    case truncatedHeader(path: String, byteCount: Int, headerSize: Int)
    /// The first four bytes are not the IDX magic number of the expected kind of file.
    case wrongMagic(path: String, found: UInt32, expected: UInt32)
    /// A row or column dimension of zero: no MNIST image can be empty.
    case zeroDimension(path: String, rows: Int, columns: Int)
    /// The header's count and dimensions disagree with the number of bytes that follow it.
    case sizeMismatch(path: String, header: String, expectedBytes: String, actualBytes: Int)
    /// The image file and the label file describe different numbers of examples.
    case countMismatch(imagesPath: String, imageCount: Int, labelsPath: String, labelCount: Int)
    /// A label outside 0...9.
    case labelOutOfRange(path: String, index: Int, value: UInt8)
    /// The decompressed content is not the published MNIST file.
    case checksumMismatch(path: String, expected: String, actual: String)

    public var description: String {
        switch self {
        case let .missingFiles(folder, split, missing):
            let list = missing.map { "\($0).gz (or uncompressed \($0))" }.joined(separator: ", ")
            return "MNIST \(split) set not found in \(folder): missing \(list)"
        case let .unreadable(path, reason):
            return "cannot read \(path): \(reason)"
        case let .notGzip(path, firstBytes):
            if firstBytes.isEmpty { return "\(path) is empty, expected gzip data" }
            let hex = Hex.string(firstBytes, separator: " ")
            return "\(path) is not gzip data: it starts with \(hex), expected 1f 8b"
        case let .truncatedCompressedData(path):
            return "\(path) is truncated: the gzip stream ends before its end marker"
        case let .corruptCompressedData(path, detail):
            return "\(path) is damaged gzip data: \(detail)"
        case let .tooLarge(path, limit):
            return "\(path) decompresses to more than \(limit) bytes, the most an MNIST file may hold"
        case let .truncatedHeader(path, byteCount, headerSize):
            return "\(path) is truncated: \(byteCount) bytes, shorter than its \(headerSize)-byte IDX header"
        case let .wrongMagic(path, found, expected):
            return "\(path) has IDX magic number \(Hex.word(found)), expected \(Hex.word(expected)) (\(magicMeaning(expected)))"
                + (magicMeaning(found).isEmpty ? "" : "; it looks like \(magicMeaning(found))")
        case let .zeroDimension(path, rows, columns):
            return "\(path) declares images of \(rows) × \(columns) pixels; both dimensions must be positive"
        case let .sizeMismatch(path, header, expectedBytes, actualBytes):
            return "\(path): header declares \(header), that is \(expectedBytes) bytes of data, but \(actualBytes) bytes follow the header"
        case let .countMismatch(imagesPath, imageCount, labelsPath, labelCount):
            return "\(imagesPath) holds \(imageCount) images but \(labelsPath) holds \(labelCount) labels"
        case let .labelOutOfRange(path, index, value):
            return "\(path): label \(index) is \(value), expected a digit 0-9"
        case let .checksumMismatch(path, expected, actual):
            return "\(path) does not match the published MNIST file: decompressed SHA-256 is \(actual), expected \(expected)"
        }
    }
}

private func magicMeaning(_ magic: UInt32) -> String {
    switch magic {
    case IDXKind.images.magic: return "an IDX image file: unsigned bytes, 3 dimensions"
    case IDXKind.labels.magic: return "an IDX label file: unsigned bytes, 1 dimension"
    default: return ""
    }
}
