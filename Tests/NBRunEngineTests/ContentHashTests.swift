import Foundation
import NBRunEngine
import Testing

/// A stage record's digests are compared with the ones already in the cache, so the way a
/// file's digest is written is pinned to a published value.
@Suite("Content digests")
struct ContentHashTests {
    /// The published SHA-256 of "abc" (FIPS 180-2), as ContentHash writes it for a file.
    @Test func aFilesDigestReadsAsPublished() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("nbrun-hex-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("abc".utf8).write(to: file)
        #expect(try ContentHash.ofFile(at: file) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
