import Foundation

/// The validated JSON header of a safetensors file: every tensor's name, shape and byte span,
/// and the metadata, without any tensor data.
///
/// It is its own type so that a loader can check every name and shape against what it
/// expects before it allocates anything: a small hostile file must not be able to declare
/// sizes that make the loader reserve gigabytes first and look at the rest afterwards.
public struct SafetensorsHeader: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var shape: [Int]
        /// Byte span in the data section (after the header).
        public var begin: Int
        public var end: Int

        public var valueCount: Int { (end - begin) / MemoryLayout<Float>.size }
    }

    /// Tensors sorted by data offset (file order).
    public var entries: [Entry]
    public var metadata: [String: String]
    /// Offset of the data section from the start of the file: 8 + header length.
    public var dataStart: Int

    /// The reference loader refuses headers over 100 MB; so do we (a corrupt length field
    /// must not make us read and parse the whole file as JSON).
    public static let maximumHeaderLength = 100_000_000

    public func entry(named name: String) -> Entry? {
        entries.first { $0.name == name }
    }

    /// Decodes the length field: the header's byte count, validated against what follows it.
    static func headerLength(
        lengthField: some Collection<UInt8>, bytesAfterField: Int, source: String
    ) throws(SafetensorsError) -> Int {
        var declared: UInt64 = 0
        for byte in lengthField.reversed() { declared = declared << 8 | UInt64(byte) }
        guard declared <= UInt64(bytesAfterField), declared <= UInt64(maximumHeaderLength) else {
            throw .headerLengthOutOfRange(path: source, declared: declared, available: bytesAfterField)
        }
        return Int(declared)
    }

    /// Parses and checks a header as strictly as the reference implementation: every tensor
    /// F32, its byte span matching its shape, the spans tiling the `dataByteCount` bytes of
    /// the data section exactly (no overlap, no gap, nothing after the last).
    init(json: Data, dataStart: Int, dataByteCount: Int, source: String) throws(SafetensorsError) {
        let header: [String: Any]
        do {
            let object = try JSONSerialization.jsonObject(with: json)
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

        var entries: [Entry] = []
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
            guard let expectedByteCount = SafetensorsFile.float32ByteCount(of: shape) else {
                throw .malformedEntry(path: source, tensor: name,
                                      reason: "shape \(shape) has more elements than any file can hold (byte count overflows)")
            }
            guard offsets[1] - offsets[0] == expectedByteCount else {
                throw .byteCountMismatch(path: source, tensor: name, shape: shape,
                                         expectedByteCount: expectedByteCount, byteCount: offsets[1] - offsets[0])
            }
            entries.append(Entry(name: name, shape: shape, begin: offsets[0], end: offsets[1]))
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
        self.entries = entries
        self.metadata = metadata
        self.dataStart = dataStart
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
}
