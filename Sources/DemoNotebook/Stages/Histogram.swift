import Foundation
import NBRunCore

/// Draws a histogram of the upstream numbers as a grayscale PNG figure.
struct HistogramStage: Stage {
    static let kind = "demo.histogram"
    static let summary = "Draws a histogram of numbers.txt as a PNG figure."
    static let sourceFileName = "Histogram.swift"
    static let parameters = [
        ParameterSpec("bins", .integer(1...100), default: .integer(10), "Number of bars."),
    ]

    func run(_ context: StageContext) throws {
        let numbers = try readIntegers(at: context.inputArtifact("numbers.txt"))
        let bins = context.parameters.int("bins")
        var counts = [Int](repeating: 0, count: bins)
        for number in numbers { counts[min(bins - 1, max(0, number) * bins / 1000)] += 1 }
        let barWidth = 8, height = 64
        let width = bins * barWidth
        let tallest = max(counts.max() ?? 1, 1)
        var pixels = [UInt8](repeating: 255, count: width * height)
        for (bin, count) in counts.enumerated() {
            let barHeight = count * height / tallest
            for y in (height - barHeight)..<height {
                for x in (bin * barWidth + 1)..<((bin + 1) * barWidth - 1) { pixels[y * width + x] = 40 }
            }
        }
        try context.writeArtifact(GrayscalePNG.encode(pixels, width: width, height: height), named: "histogram.png")
        context.addFigure("histogram.png", caption: "Histogram of \(numbers.count) numbers in \(bins) bins")
        context.print("bin counts: \(counts.map(String.init).joined(separator: " "))")
    }
}

/// A minimal 8-bit grayscale PNG encoder using stored (uncompressed) deflate blocks, so
/// the demo needs no image library.
enum GrayscalePNG {
    static func encode(_ pixels: [UInt8], width: Int, height: Int) -> Data {
        var raw: [UInt8] = []
        for row in 0..<height {
            raw.append(0)  // filter: none
            raw.append(contentsOf: pixels[(row * width)..<((row + 1) * width)])
        }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65_535, raw.count - offset)
            let last: UInt8 = offset + length == raw.count ? 1 : 0
            zlib += [last, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            zlib += raw[offset..<(offset + length)]
            offset += length
        } while offset < raw.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw { a = (a + UInt32(byte)) % 65_521; b = (b + a) % 65_521 }
        zlib += bigEndian((b << 16) | a)
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, 0, 0, 0, 0])
        png += chunk("IDAT", zlib)
        png += chunk("IEND", [])
        return Data(png)
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in typed {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return bigEndian(UInt32(body.count)) + typed + bigEndian(~crc)
    }
}
