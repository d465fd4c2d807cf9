import AtomicFiles
import Foundation
import Testing

@Suite("Atomic writes leave the old file or the complete new one, never half of one")
struct AtomicFileTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func contents() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    @Test func replacesTheFileWholeAndReadablyAndLeavesNoTemporaryFile() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("result.bin")
        try AtomicFile.write(Data("first".utf8), to: url)
        try AtomicFile.write(Data(repeating: 7, count: 1 << 20), to: url)
        #expect(try Data(contentsOf: url) == Data(repeating: 7, count: 1 << 20))
        #expect(contents() == ["result.bin"])
        let mode = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        #expect(mode == 0o644)
    }

    @Test func aMissingFolderIsAnErrorNamingThePath() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("missing/result.bin")
        let error = #expect(throws: AtomicWriteError.self) { try AtomicFile.write(Data("x".utf8), to: url) }
        #expect(error?.path == url.path)
        #expect(error?.description == "cannot write \(url.path): No such file or directory")
    }

    @Test func aDiskThatFillsUpMidWriteLeavesTheEarlierFileIntact() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("figure.png")
        try AtomicFile.write(Data("the earlier, complete result".utf8), to: url)

        // A file system with 100 bytes left: the first 100 bytes reach the temporary file,
        // the rest go to /dev/full, where the kernel answers ENOSPC.
        let full = open("/dev/full", O_WRONLY)
        try #require(full >= 0)
        defer { close(full) }
        nonisolated(unsafe) var room = 100
        let fillingDisk: AtomicFile.WriteFunction = { fd, buffer, count in
            guard room > 0 else { return write(full, buffer, count) }
            let accepted = min(count, room)
            room -= accepted
            return write(fd, buffer, accepted)
        }
        let error = #expect(throws: AtomicWriteError.self) {
            try AtomicFile.write([UInt8](repeating: 1, count: 4096), to: url.path, using: fillingDisk)
        }
        #expect(error == AtomicWriteError(path: url.path, reason: "No space left on device"))
        #expect(try String(contentsOf: url, encoding: .utf8) == "the earlier, complete result")
        #expect(contents() == ["figure.png"])
    }
}
