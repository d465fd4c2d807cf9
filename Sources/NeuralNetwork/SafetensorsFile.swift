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

    public init(contentsOf url: URL) throws(SafetensorsError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
        try self.init(data: data, source: url.path)
    }

    /// Parses the bytes of a safetensors file; `source` names it in errors.
    public init(data: Data, source: String) throws(SafetensorsError) {
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else { throw .tooShort(path: source, byteCount: bytes.count) }
        var declared: UInt64 = 0
        for index in (0..<8).reversed() { declared = declared << 8 | UInt64(bytes[index]) }
        // The reference loader refuses headers over 100 MB; so do we (a corrupt length field
        // must not make us parse the whole file as JSON).
        guard declared <= UInt64(bytes.count - 8), declared <= 100_000_000 else {
            throw .headerLengthOutOfRange(path: source, declared: declared, available: bytes.count - 8)
        }
        let headerEnd = 8 + Int(declared)
        let header: [String: Any]
        do {
            let object = try JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd]))
            guard let dictionary = object as? [String: Any] else {
                throw SafetensorsError.headerNotJSON(path: source, reason: "top level is not an object")
            }
            header = dictionary
        } catch let error as SafetensorsError {
            throw error
        } catch {
            throw .headerNotJSON(path: source, reason: error.localizedDescription)
        }

        var metadata: [String: String] = [:]
        if let rawMetadata = header["__metadata__"] {
            guard let map = rawMetadata as? [String: Any] else {
                throw .badMetadata(path: source, key: "__metadata__", reason: "is not an object")
            }
            for (key, value) in map {
                guard let string = value as? String else {
                    throw .badMetadata(path: source, key: key, reason: "value is not a string")
                }
                metadata[key] = string
            }
        }

        let dataByteCount = bytes.count - headerEnd
        var entries: [(name: String, shape: [Int], begin: Int, end: Int)] = []
        for name in header.keys.sorted() where name != "__metadata__" {
            guard let entry = header[name] as? [String: Any] else {
                throw .malformedEntry(path: source, tensor: name, reason: "entry is not an object")
            }
            guard let dtype = entry["dtype"] as? String else {
                throw .malformedEntry(path: source, tensor: name, reason: "missing dtype")
            }
            guard let shape = Self.integers(entry["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
                throw .malformedEntry(path: source, tensor: name, reason: "shape is not a list of non-negative integers")
            }
            guard let offsets = Self.integers(entry["data_offsets"]), offsets.count == 2,
                  offsets[0] >= 0, offsets[1] >= offsets[0]
            else {
                throw .malformedEntry(path: source, tensor: name, reason: "data_offsets is not [begin, end] with 0 ≤ begin ≤ end")
            }
            guard dtype == "F32" else { throw .unsupportedDType(path: source, tensor: name, dtype: dtype) }
            guard offsets[1] <= dataByteCount else {
                throw .dataOutOfRange(path: source, tensor: name, begin: offsets[0], end: offsets[1], dataByteCount: dataByteCount)
            }
            guard let expectedByteCount = Self.float32ByteCount(of: shape) else {
                throw .malformedEntry(path: source, tensor: name,
                                      reason: "shape \(shape) has more elements than any file can hold (byte count overflows)")
            }
            guard offsets[1] - offsets[0] == expectedByteCount else {
                throw .byteCountMismatch(path: source, tensor: name, shape: shape,
                                         expectedByteCount: expectedByteCount, byteCount: offsets[1] - offsets[0])
            }
            entries.append((name, shape, offsets[0], offsets[1]))
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var expectedBegin = 0
        for (index, entry) in entries.enumerated() {
            if entry.begin < expectedBegin {
                throw .overlappingTensors(path: source, first: entries[index - 1].name, second: entry.name)
            }
            if entry.begin > expectedBegin {
                throw .gapBeforeTensor(path: source, tensor: entry.name, expectedBegin: expectedBegin, begin: entry.begin)
            }
            expectedBegin = entry.end
        }
        if expectedBegin != dataByteCount {
            throw .trailingBytes(path: source, count: dataByteCount - expectedBegin)
        }

        tensors = entries.map { entry in
            var values = [Float](repeating: 0, count: (entry.end - entry.begin) / 4)
            var position = headerEnd + entry.begin
            for index in values.indices {
                let bits = UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8
                    | UInt32(bytes[position + 2]) << 16 | UInt32(bytes[position + 3]) << 24
                values[index] = Float(bitPattern: bits)
                position += 4
            }
            return Tensor(name: entry.name, shape: entry.shape, values: values)
        }
        self.metadata = metadata
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

    /// JSON numbers arrive as NSNumber/Int/Double depending on the platform; accept only integral ones.
    private static func integers(_ value: Any?) -> [Int]? {
        guard let list = value as? [Any] else { return nil }
        var result: [Int] = []
        for element in list {
            if let integer = element as? Int {
                result.append(integer)
            } else if let double = element as? Double, double == double.rounded(), abs(double) < 1e15 {
                result.append(Int(double))
            } else {
                return nil
            }
        }
        return result
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
