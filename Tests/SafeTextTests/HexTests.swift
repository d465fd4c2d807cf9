import SafeText
import Testing

/// Digests in records and checksums in MNIST's error messages are written by one formatter;
/// records already on disk must still compare equal, so its output is pinned here.
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

}
