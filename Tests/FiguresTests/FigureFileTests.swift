import Foundation
import Testing

@testable import Figures

/// What a chart writes: a 2× PNG that declares its density, and an SVG beside it.
@Suite("Figure files: PNG at 2× with pHYs, SVG beside it")
struct FigureFileTests {
    @Test("the PNG is twice the CSS size, declares 192 DPI in a valid pHYs chunk, and libpng reads it")
    func pngDensity() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = folder.url.appendingPathComponent("line.png")
        try FigureGallery.line.write(to: url)
        let bytes = [UInt8](try Data(contentsOf: url))
        let dpi = try #require(PNGDensity.dotsPerInch(of: bytes))
        #expect(abs(dpi - 192) < 0.05)
        // The chunk's CRC is right: libpng checks it on read and would fail otherwise.
        let chunk = try #require(bytes.firstRange(of: Array("pHYs".utf8)))
        let crc = bytes[(chunk.lowerBound + 13)..<(chunk.lowerBound + 17)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        #expect(crc == PNGDensity.crc32(bytes[chunk.lowerBound..<(chunk.lowerBound + 13)]))
        let image = try PNGReader.read(from: url)
        #expect(image.width == 960 && image.height == 600)
        #expect(folder.contents() == ["line.png", "line.svg"])
        let svg = try String(contentsOf: folder.url.appendingPathComponent("line.svg"), encoding: .utf8)
        #expect(svg.contains("width=\"480\" height=\"300\""))
    }

    @Test("CRC-32 matches the published check value")
    func crc() {
        #expect(PNGDensity.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test("svg: false writes the PNG alone; a missing folder is a typed error naming the path")
    func pngOnlyAndErrors() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try FigureGallery.bar.write(to: folder.url.appendingPathComponent("bar.png"), svg: false)
        #expect(folder.contents() == ["bar.png"])
        let missing = folder.url.appendingPathComponent("no/such/bar.png")
        #expect {
            try FigureGallery.bar.write(to: missing)
        } throws: { error in
            guard case let .png(.writeFailed(path, _))? = error as? FigureError else { return false }
            return path.contains("no/such")
        }
    }

    @Test("the SVG holds real text, one element per label, in the font the PNG was measured with")
    func svgText() throws {
        let svg = try FigureGallery.logarithmic.svg()
        #expect(svg.contains("font-family=\"'DejaVu Sans', sans-serif\""))
        #expect(svg.contains(">Mean ‖∂L/∂x<tspan"))
        #expect(svg.contains("10⁻⁴"))
        #expect(!svg.lowercased().contains("<script"))
        #expect(svg.components(separatedBy: "http").count == 2, "only the SVG namespace may be a URL")
        #expect(svg.components(separatedBy: "<text ").count - 1 == FigureGallery.logarithmic.drawing().texts.count)
    }
}
