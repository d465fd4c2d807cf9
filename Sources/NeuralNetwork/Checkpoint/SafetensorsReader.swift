import Foundation

/// An open safetensors file whose header has been read and validated, and whose tensors are
/// read one at a time, straight from the file into the array that keeps them.
///
/// Loading a checkpoint therefore holds at most the header plus the tensors the caller keeps,
/// never a copy of the whole file next to the decoded values; and the caller can refuse a
/// file on its header alone, before any tensor memory exists.
///
/// Only regular files are read: a FIFO, a device such as `/dev/zero` or a folder would
/// block forever or never end, so they are refused by name. The file is opened without
/// blocking (a FIFO with no writer would otherwise hang `open` itself).
public final class SafetensorsReader {
    public let path: String
    public let header: SafetensorsHeader
    private let descriptor: Int32

    public init(url: URL) throws(SafetensorsError) {
        path = url.path
        descriptor = open(url.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .unreadable(path: url.path, reason: String(cString: strerror(errno)))
        }
        do throws(SafetensorsError) {
            var status = stat()
            guard fstat(descriptor, &status) == 0 else {
                throw SafetensorsError.unreadable(path: url.path, reason: String(cString: strerror(errno)))
            }
            guard status.st_mode & S_IFMT == S_IFREG else {
                throw SafetensorsError.notARegularFile(path: url.path, kind: Self.kind(of: status.st_mode))
            }
            let fileSize = Int(status.st_size)
            guard fileSize >= 8 else { throw SafetensorsError.tooShort(path: url.path, byteCount: fileSize) }
            let lengthField = try Self.read(descriptor, count: 8, at: 0, path: url.path)
            let headerLength = try SafetensorsHeader.headerLength(
                lengthField: lengthField, bytesAfterField: fileSize - 8, source: url.path)
            let json = try Self.read(descriptor, count: headerLength, at: 8, path: url.path)
            header = try SafetensorsHeader(json: Data(json), dataStart: 8 + headerLength,
                                           dataByteCount: fileSize - 8 - headerLength, source: url.path)
        } catch {
            close(descriptor)
            throw error
        }
    }

    deinit {
        close(descriptor)
    }

    /// The values of one tensor of this file's header.
    public func values(of entry: SafetensorsHeader.Entry) throws(SafetensorsError) -> [Float] {
        let count = entry.valueCount
        var failure: SafetensorsError?
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            do throws(SafetensorsError) {
                try Self.read(descriptor, into: raw, at: header.dataStart + entry.begin, path: path)
            } catch {
                failure = error
                raw.initializeMemory(as: UInt8.self, repeating: 0)
            }
            #if _endian(big)
            for index in 0..<count { buffer[index] = Float(bitPattern: UInt32(littleEndian: buffer[index].bitPattern)) }
            #endif
            initialized = count
        }
        if let failure { throw failure }
        return values
    }

    /// The values of one tensor, refused if any is NaN or infinite: weights or optimiser
    /// state like that would silently ruin every prediction or poison the next step.
    public func finiteValues(of entry: SafetensorsHeader.Entry) throws(SafetensorsError) -> [Float] {
        let values = try values(of: entry)
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteValue(path: path, tensor: entry.name, index: index, value: values[index])
        }
        return values
    }

    private static func read(_ descriptor: Int32, count: Int, at offset: Int, path: String) throws(SafetensorsError) -> [UInt8] {
        var failure: SafetensorsError?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            do throws(SafetensorsError) { try read(descriptor, into: raw, at: offset, path: path) } catch {
                failure = error
                raw.initializeMemory(as: UInt8.self, repeating: 0)
            }
            initialized = count
        }
        if let failure { throw failure }
        return bytes
    }

    /// Fills `buffer` from `offset`; a file that shrank since it was measured is reported.
    private static func read(
        _ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int, path: String
    ) throws(SafetensorsError) {
        var done = 0
        while done < buffer.count {
            let result = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if result < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if result == 0 {
                throw .unreadable(path: path, reason: "the file ended at byte \(offset + done) while being read (it shrank)")
            }
            done += result
        }
    }

    static func kind(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
    }
}
