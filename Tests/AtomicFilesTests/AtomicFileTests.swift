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

    @Test func createNeverReplacesAndLeavesNoTemporaryFile() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("marker")
        #expect(try AtomicFile.create(Data("first".utf8), at: url))
        #expect(try !AtomicFile.create(Data("second".utf8), at: url))
        #expect(try String(contentsOf: url, encoding: .utf8) == "first")
        // Not through a link either: the link stays a link, its target untouched.
        let target = folder.appendingPathComponent("target")
        try Data("theirs".utf8).write(to: target)
        let link = folder.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        #expect(try !AtomicFile.create(Data("mine".utf8), at: link))
        #expect(try String(contentsOf: target, encoding: .utf8) == "theirs")
        #expect(contents() == ["link", "marker", "target"])
        let mode = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        #expect(mode == 0o644)
    }

    /// Of many threads creating one file at the same instant, exactly one succeeds, and the
    /// file holds its bytes whole.
    @Test func exactlyOneOfManyConcurrentCreatesWins() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        for round in 0..<20 {
            let url = folder.appendingPathComponent("file-\(round)")
            let wins = WinCount()
            DispatchQueue.concurrentPerform(iterations: 8) { index in
                if (try? AtomicFile.create(Data(repeating: UInt8(index), count: 4096), at: url)) == true { wins.add() }
            }
            #expect(wins.value == 1, "round \(round)")
            let data = try Data(contentsOf: url)
            #expect(data.count == 4096 && Set(data).count == 1, "round \(round)")
        }
        #expect(contents().allSatisfy { $0.hasPrefix("file-") }, "no temporary file left: \(contents())")
    }

    @Test func createInAMissingFolderIsAnErrorNamingThePath() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("missing/marker")
        let error = #expect(throws: AtomicWriteError.self) { _ = try AtomicFile.create(Data("x".utf8), at: url) }
        #expect(error?.path == url.path)
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

/// How many threads' creates succeeded.
private final class WinCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func add() { lock.withLock { count += 1 } }
}
