import AtomicFiles
import Foundation

/// A safetensors file of F32 tensors: the format PyTorch's `safetensors` library reads
/// and writes. Layout: an unsigned 64-bit little-endian header length N, N bytes of JSON
/// mapping each tensor name to `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets
/// relative to the data section) plus an optional `__metadata__` string map, then the
/// raw little-endian tensor bytes.
///
/// Reading is as strict as the reference implementation: every tensor must be F32, its byte
/// span must match its shape, and the spans must tile the data section exactly (no overlap,
/// no gap, nothing after the last), so a damaged checkpoint is reported instead of silently
/// loading garbage, and anything we accept PyTorch's loader accepts too.
public struct SafetensorsFile: Sendable, Equatable {
    public struct Tensor: Sendable, Equatable {
        public var name: String
        public var shape: [Int]
        public var values: [Float]

        public init(name: String, shape: [Int], values: [Float]) {
            precondition(shape.reduce(1, *) == values.count, "tensor \(name): \(values.count) values for shape \(shape)")
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    /// Tensors in file order (sorted by data offset when read).
    public var tensors: [Tensor]
    public var metadata: [String: String]

    public init(tensors: [Tensor], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    public func tensor(named name: String) -> Tensor? {
        tensors.first { $0.name == name }
    }

    // MARK: Reading

    /// Reads every tensor; each goes straight from the file into its own array.
    public init(contentsOf url: URL) throws(SafetensorsError) {
        let reader = try SafetensorsReader(url: url)
        var tensors: [Tensor] = []
        for entry in reader.header.entries {
            tensors.append(Tensor(name: entry.name, shape: entry.shape, values: try reader.values(of: entry)))
        }
        self.tensors = tensors
        metadata = reader.header.metadata
    }

    /// Parses the bytes of a safetensors file; `source` names it in errors.
    public init(data: Data, source: String) throws(SafetensorsError) {
        guard data.count >= 8 else { throw .tooShort(path: source, byteCount: data.count) }
        let start = data.startIndex
        let headerLength = try SafetensorsHeader.headerLength(
            lengthField: data[start..<start + 8], bytesAfterField: data.count - 8, source: source)
        let headerEnd = start + 8 + headerLength
        let header = try SafetensorsHeader(json: data[(start + 8)..<headerEnd], dataStart: 8 + headerLength,
                                           dataByteCount: data.count - 8 - headerLength, source: source)
        tensors = header.entries.map { entry in
            var values = [Float](repeating: 0, count: entry.valueCount)
            let first = headerEnd + entry.begin
            values.withUnsafeMutableBytes { destination in
                _ = data.copyBytes(to: destination, from: first..<(first + entry.end - entry.begin))
            }
            for index in values.indices {
                values[index] = Float(bitPattern: UInt32(littleEndian: values[index].bitPattern))
            }
            return Tensor(name: entry.name, shape: entry.shape, values: values)
        }
        metadata = header.metadata
    }

    /// Bytes of F32 data a tensor of `shape` holds, or nil if a dimension is negative or
    /// the product overflows `Int` (a crafted header must not crash the reader).
    static func float32ByteCount(of shape: [Int]) -> Int? {
        var product = MemoryLayout<Float>.size
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            product = next
        }
        return product
    }

    // MARK: Writing

    /// The file's bytes. Header keys are written in sorted order, the header is padded with
    /// spaces to a multiple of 8 bytes (as the reference library does, so data stays aligned).
    public func encoded() -> Data {
        var header = "{"
        var pieces: [String] = []
        if !metadata.isEmpty {
            let fields = metadata.keys.sorted().map { "\(Self.jsonString($0)):\(Self.jsonString(metadata[$0]!))" }
            pieces.append("\"__metadata__\":{\(fields.joined(separator: ","))}")
        }
        var offset = 0
        for tensor in tensors {
            let byteCount = tensor.values.count * 4
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            pieces.append("\(Self.jsonString(tensor.name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + byteCount)]}")
            offset += byteCount
        }
        header += pieces.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }

        var data = Data(capacity: 8 + headerBytes.count + offset)
        var length = UInt64(headerBytes.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(contentsOf: headerBytes)
        for tensor in tensors {
            tensor.values.withUnsafeBufferPointer { buffer in
                for value in buffer {
                    var bits = value.bitPattern.littleEndian
                    withUnsafeBytes(of: &bits) { data.append(contentsOf: $0) }
                }
            }
        }
        return data
    }

    /// Writes the file atomically (temporary file in the same folder, then rename).
    public func write(to url: URL) throws(SafetensorsError) {
        do { try AtomicFile.write(encoded(), to: url) } catch { throw .writeFailed(path: error.path, reason: error.reason) }
    }

    private static func jsonString(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    result += String(format: "\\u%04x", scalar.value)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
