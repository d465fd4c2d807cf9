import SafeText

/// Why a safetensors file could not be read, written or matched to a model.
/// Every case names the file and, where there is one, the tensor at fault.
public enum SafetensorsError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case tooShort(path: String, byteCount: Int)
    case headerLengthOutOfRange(path: String, declared: UInt64, available: Int)
    case headerNotJSON(path: String, reason: String)
    case malformedEntry(path: String, tensor: String, reason: String)
    case unsupportedDType(path: String, tensor: String, dtype: String)
    case dataOutOfRange(path: String, tensor: String, begin: Int, end: Int, dataByteCount: Int)
    case byteCountMismatch(path: String, tensor: String, shape: [Int], expectedByteCount: Int, byteCount: Int)
    case overlappingTensors(path: String, first: String, second: String)
    case gapBeforeTensor(path: String, tensor: String, expectedBegin: Int, begin: Int)
    case trailingBytes(path: String, count: Int)
    case missingTensor(path: String, tensor: String)
    case unexpectedTensor(path: String, tensor: String)
    case shapeMismatch(path: String, tensor: String, expected: [Int], found: [Int])
    case badMetadata(path: String, key: String, reason: String)
    case writeFailed(path: String, reason: String)
    case notARegularFile(path: String, kind: String)
    case nonFiniteValue(path: String, tensor: String, index: Int, value: Float)
    case dimensionTooLarge(path: String, tensor: String, shape: [Int], limit: Int)

    /// Names and keys come from the file: control characters in them are escaped, so a
    /// hostile file cannot send terminal escape sequences through an error message.
    public var description: String { rawDescription.escapingControlCharacters() }

    private var rawDescription: String {
        switch self {
        case .unreadable(let path, let reason):
            return "\(path): cannot read safetensors file: \(reason)"
        case .tooShort(let path, let count):
            return "\(path): \(count) bytes is too short for a safetensors file (needs an 8-byte header length)"
        case .headerLengthOutOfRange(let path, let declared, let available):
            return "\(path): header length \(declared) does not fit in the \(available) bytes after the length field"
        case .headerNotJSON(let path, let reason):
            return "\(path): header is not a JSON object: \(reason)"
        case .malformedEntry(let path, let tensor, let reason):
            return "\(path): tensor '\(tensor)': \(reason)"
        case .unsupportedDType(let path, let tensor, let dtype):
            return "\(path): tensor '\(tensor)' has dtype \(dtype); only F32 is supported"
        case .dataOutOfRange(let path, let tensor, let begin, let end, let count):
            return "\(path): tensor '\(tensor)' data_offsets [\(begin), \(end)] exceed the \(count) data bytes (file truncated?)"
        case .byteCountMismatch(let path, let tensor, let shape, let expected, let count):
            return "\(path): tensor '\(tensor)' of shape \(shape) needs \(expected) bytes of F32 but its data_offsets span \(count)"
        case .overlappingTensors(let path, let first, let second):
            return "\(path): data of tensors '\(first)' and '\(second)' overlap"
        case .gapBeforeTensor(let path, let tensor, let expected, let begin):
            return "\(path): tensor '\(tensor)' starts at byte \(begin) of the data, expected \(expected) (tensors must be packed without gaps)"
        case .trailingBytes(let path, let count):
            return "\(path): \(count) bytes after the last tensor belong to no tensor"
        case .missingTensor(let path, let tensor):
            return "\(path): missing tensor '\(tensor)'"
        case .unexpectedTensor(let path, let tensor):
            return "\(path): unexpected tensor '\(tensor)' (not a parameter of this model)"
        case .shapeMismatch(let path, let tensor, let expected, let found):
            return "\(path): tensor '\(tensor)' has shape \(found), expected \(expected)"
        case .badMetadata(let path, let key, let reason):
            return "\(path): metadata '\(key)': \(reason)"
        case .writeFailed(let path, let reason):
            return "\(path): cannot write: \(reason)"
        case .notARegularFile(let path, let kind):
            return "\(path): is \(kind), not a regular file; a safetensors file must be a regular file"
        case .nonFiniteValue(let path, let tensor, let index, let value):
            return "\(path): tensor '\(tensor)' holds \(value) at element \(index); weights must be finite numbers"
        case .dimensionTooLarge(let path, let tensor, let shape, let limit):
            return "\(path): tensor '\(tensor)' has shape \(shape); no model size may exceed \(limit)"
        }
    }
}
