/// Bytes as lowercase hexadecimal, two digits each: how digests (SHA-256 of artifacts, data
/// and code) and dumps of a file's bytes are written. One formatter, so that a checksum in
/// an error message reads exactly like the one in a record.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// `[0xde, 0xad]` → `dead`; with a separator, `de ad`.
    public static func string(_ bytes: some Sequence<UInt8>, separator: String = "") -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * (2 + separator.utf8.count))
        for byte in bytes {
            if !text.isEmpty { text.append(contentsOf: separator.utf8) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// `0x00000803` → `0x00000803`: a 32-bit word, all eight digits, most significant first.
    public static func word(_ word: UInt32) -> String {
        "0x" + string([24, 16, 8, 0].map { UInt8(truncatingIfNeeded: word >> $0) })
    }
}
