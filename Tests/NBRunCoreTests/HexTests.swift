import Foundation
import NBRunCore
import SafeText
import Testing

/// Digests in records and checksums in MNIST's error messages are written by one formatter;
/// a record written before it must still compare equal, so its output is pinned here.
@Suite("Bytes as hexadecimal")
struct HexTests {
    @Test func bytesAreTwoLowercaseDigitsEach() {
        #expect(Hex.string([]) == "")
        #expect(Hex.string([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(Hex.string([0xde, 0xad, 0x01], separator: " ") == "de ad 01")
        #expect(Hex.string((0...255).map(UInt8.init)).count == 512)
    }

    @Test func wordsKeepAllEightDigits() {
        #expect(Hex.word(0x0000_0803) == "0x00000803")
        #expect(Hex.word(0xFFFF_FFFF) == "0xffffffff")
        #expect(Hex.word(0) == "0x00000000")
    }

    /// The published SHA-256 of "abc" (FIPS 180-2), as ContentHash writes it for a file.
    @Test func aFilesDigestReadsAsPublished() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("nbrun-hex-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("abc".utf8).write(to: file)
        #expect(try ContentHash.ofFile(at: file) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
