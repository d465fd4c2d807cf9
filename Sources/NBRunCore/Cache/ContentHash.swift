import Crypto
import Foundation

/// SHA-256 of files and folders, for artifacts and for the data a `.path` parameter names.
public enum ContentHash {
    /// Hex SHA-256 of a file's bytes, read in chunks so large data never sits in memory twice.
    public static func ofFile(at url: URL) throws(StorageError) -> String {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw .cannotRead(path: url.path, reason: "cannot open file")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 1 << 20) } catch {
                throw .cannotRead(path: url.path, reason: (error as NSError).localizedDescription)
            }
            guard let chunk, !chunk.isEmpty else { break }
            hasher.update(data: chunk)
        }
        return hasher.finalize().hexString
    }

    /// For a file, its content hash; for a folder, a hash over every file's relative path
    /// and content, recursively and in sorted order (so renaming a file inside counts too).
    /// Inside a folder, a symbolic link to a folder (or a dangling one) counts as the link
    /// text, not as what it points to: following it could loop (a link to `..`) or walk the
    /// whole disk (a link to `/`). A symbolic link to a file counts as the file's content.
    public static func ofItem(at url: URL) throws(StorageError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw .cannotRead(path: url.path, reason: "no such file or folder")
        }
        guard isDirectory.boolValue else { return try ofFile(at: url) }
        var lines: [String] = []
        try collect(folder: url.resolvingSymlinksInPath(), prefix: "", into: &lines)
        return SHA256.hash(data: Data(lines.sorted().joined(separator: "\n").utf8)).hexString
    }

    private static func collect(folder: URL, prefix: String, into lines: inout [String]) throws(StorageError) {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path) } catch {
            throw .cannotRead(path: folder.path, reason: (error as NSError).localizedDescription)
        }
        for name in names.sorted() {
            let child = folder.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: child.path, isDirectory: &isDirectory)
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: child.path),
               !exists || isDirectory.boolValue {
                lines.append("\(prefix)\(name)\tsymlink:\(target)")
            } else if isDirectory.boolValue {
                try collect(folder: child, prefix: prefix + name + "/", into: &lines)
            } else {
                lines.append("\(prefix)\(name)\t\(try ofFile(at: child))")
            }
        }
    }
}

extension Sequence where Element == UInt8 {
    var hexString: String {
        var text = ""
        for byte in self {
            let digits = String(byte, radix: 16)
            text += digits.count == 1 ? "0" + digits : digits
        }
        return text
    }
}

extension SHA256Digest {
    var hexString: String { Array(self).hexString }
}
