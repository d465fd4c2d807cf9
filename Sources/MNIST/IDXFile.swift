/// The two kinds of IDX file that make up MNIST.
///
/// An IDX file starts with a big-endian magic number `00 00 tt nn` (tt = 0x08 for
/// unsigned bytes, nn = number of dimensions), then one big-endian UInt32 per
/// dimension, then the data in row-major order.
enum IDXKind: Sendable {
    case images, labels

    var magic: UInt32 {
        switch self {
        case .images: 0x0000_0803
        case .labels: 0x0000_0801
        }
    }

    var dimensionCount: Int {
        switch self {
        case .images: 3
        case .labels: 1
        }
    }

    var headerSize: Int { 4 + 4 * dimensionCount }
}

/// A parsed IDX file: its dimensions and its data, header removed.
struct IDXFile: Sendable {
    var count: Int
    var rows: Int
    var columns: Int
    var data: [UInt8]

    /// Parses `bytes` as an IDX file of the given kind, checking the magic number
    /// and that the data is exactly as long as the header says.
    init(parsing bytes: [UInt8], as kind: IDXKind, path: String) throws(MNISTError) {
        func word(at offset: Int) -> UInt32 {
            UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
                | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
        }
        // The magic number first: a label file given as images is "wrong magic", not "truncated".
        if bytes.count >= 4, word(at: 0) != kind.magic {
            throw .wrongMagic(path: path, found: word(at: 0), expected: kind.magic)
        }
        guard bytes.count >= kind.headerSize else {
            throw .truncatedHeader(path: path, byteCount: bytes.count, headerSize: kind.headerSize)
        }

        let dimensions = (0..<kind.dimensionCount).map { Int(word(at: 4 + 4 * $0)) }
        let count = dimensions[0]
        let (rows, columns) = kind == .images ? (dimensions[1], dimensions[2]) : (1, 1)
        if kind == .images && (rows == 0 || columns == 0) {
            throw .zeroDimension(path: path, rows: rows, columns: columns)
        }

        let actual = bytes.count - kind.headerSize
        let header = kind == .images ? "\(count) images of \(rows) × \(columns)" : "\(count) labels"
        let (perImage, overflow1) = rows.multipliedReportingOverflow(by: columns)
        let (expected, overflow2) = count.multipliedReportingOverflow(by: perImage)
        if overflow1 || overflow2 {
            throw .sizeMismatch(path: path, header: header, expectedBytes: "more than \(Int.max)", actualBytes: actual)
        }
        guard expected == actual else {
            throw .sizeMismatch(path: path, header: header, expectedBytes: "\(expected)", actualBytes: actual)
        }

        self.count = count
        self.rows = rows
        self.columns = columns
        self.data = Array(bytes[kind.headerSize...])
    }
}
