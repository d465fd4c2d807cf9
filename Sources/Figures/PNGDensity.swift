/// The PNG `pHYs` chunk: how many pixels make a metre, so that a figure drawn at 2×
/// shows at its intended size in viewers that honour it (192 DPI for 2× the CSS 96).
///
/// libpng's simplified writing API has no way to add it, so it is spliced in after the
/// header chunk, with its own CRC.
enum PNGDensity {
    static let inchesPerMetre = 39.370_078_740_157_48

    /// `png` with a pHYs chunk for `dotsPerInch` after IHDR (which the PNG specification
    /// requires to come first, and pHYs to precede the image data).
    static func withDensity(_ png: [UInt8], dotsPerInch: Double) -> [UInt8] {
        // Signature (8) + IHDR length, type, 13 data bytes, CRC (25).
        let headerEnd = 33
        guard png.count > headerEnd, Array(png[12..<16]) == Array("IHDR".utf8) else { return png }
        let perMetre = UInt32((dotsPerInch * inchesPerMetre).rounded())
        var chunk: [UInt8] = [0, 0, 0, 9] + Array("pHYs".utf8)
        for _ in 0..<2 { chunk += bigEndian(perMetre) }
        chunk.append(1)  // unit: metre
        chunk += bigEndian(crc32(chunk[4...]))
        return Array(png[..<headerEnd]) + chunk + Array(png[headerEnd...])
    }

    /// The density a PNG declares, in dots per inch, if it has a pHYs chunk in metres.
    static func dotsPerInch(of png: [UInt8]) -> Double? {
        var offset = 8
        while offset + 12 <= png.count {
            let length = Int(png[offset]) << 24 | Int(png[offset + 1]) << 16 | Int(png[offset + 2]) << 8 | Int(png[offset + 3])
            let type = String(decoding: png[(offset + 4)..<(offset + 8)], as: UTF8.self)
            if type == "pHYs" && length == 9 && offset + 17 <= png.count {
                let data = png[(offset + 8)..<(offset + 17)]
                let x = data.prefix(4).reduce(0) { $0 << 8 | Int($1) }
                return data.last == 1 ? Double(x) / inchesPerMetre : nil
            }
            if type == "IDAT" { return nil }
            offset += 12 + length
        }
        return nil
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// CRC-32 as PNG defines it, over a chunk's type and data.
    static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
