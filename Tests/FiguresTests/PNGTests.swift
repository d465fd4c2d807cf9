import CLibPNG
import Foundation
import Testing

@testable import Figures

@Suite("PNG through libpng")
struct PNGTests {
    static func pattern(_ format: PixelFormat, width: Int = 7, height: Int = 5) -> Bitmap {
        let count = width * height * format.channels
        return Bitmap(width: width, height: height, format: format, pixels: (0..<count).map { UInt8(($0 * 37) % 256) })
    }

    @Test("gray, RGB and RGBA survive a write and read unchanged", arguments: [PixelFormat.gray8, .rgb8, .rgba8])
    func roundTrip(format: PixelFormat) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let bitmap = Self.pattern(format)
        let url = folder.url.appendingPathComponent("pattern.png")
        try PNGWriter.write(bitmap, to: url)
        #expect(try PNGReader.read(from: url, as: format) == bitmap)
        #expect(folder.contents() == ["pattern.png"], "no temporary file may remain")
        let permissions = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        #expect(permissions == 0o644)
    }

    @Test("the encoding is a PNG file: signature, IHDR with our size, 8-bit depth and colour type")
    func encodedHeader() throws {
        let bytes = try PNGWriter.encode(Self.pattern(.rgb8, width: 300, height: 2))
        #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(Array(bytes[12..<16]) == Array("IHDR".utf8))
        #expect(Array(bytes[16..<24]) == [0, 0, 0x01, 0x2C, 0, 0, 0, 2])
        #expect(bytes[24] == 8 && bytes[25] == 2)  // bit depth 8, colour type 2 = RGB
        let gray = try PNGWriter.encode(Self.pattern(.gray8))
        #expect(gray[25] == 0)
        let rgba = try PNGWriter.encode(Self.pattern(.rgba8))
        #expect(rgba[25] == 6)
    }

    @Test("an existing file is replaced whole")
    func replaces() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = folder.url.appendingPathComponent("figure.png")
        try PNGWriter.write(Self.pattern(.gray8), to: url)
        try PNGWriter.write(Self.pattern(.rgb8, width: 3, height: 3), to: url)
        #expect(try PNGReader.read(from: url, as: .rgb8) == Self.pattern(.rgb8, width: 3, height: 3))
    }

    @Test("a missing folder is a typed error naming the path, and leaves nothing")
    func missingFolder() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = folder.url.appendingPathComponent("no/such/folder/figure.png")
        let error = #expect(throws: PNGError.self) { try PNGWriter.write(Self.pattern(.gray8), to: url) }
        #expect(error?.description.contains(url.path) == true)
        #expect(error?.description.contains("No such file or directory") == true)
        #expect(folder.contents().isEmpty)
    }

    @Test("a file where the folder should be is a typed error")
    func folderIsAFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let blocker = folder.url.appendingPathComponent("plots")
        try Data("not a folder".utf8).write(to: blocker)
        let url = blocker.appendingPathComponent("figure.png")
        let error = #expect(throws: PNGError.self) { try PNGWriter.write(Self.pattern(.gray8), to: url) }
        guard case let .writeFailed(path, reason)? = error else { return }
        #expect(path == url.path && reason.contains("Not a directory"))
    }

    @Test("reading a missing file or a non-PNG is a typed error naming the file")
    func readErrors() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let missing = folder.url.appendingPathComponent("missing.png")
        let error = #expect(throws: PNGError.self) { try PNGReader.read(from: missing) }
        #expect(error?.description.contains(missing.path) == true)

        let text = folder.url.appendingPathComponent("text.png")
        try Data("hello, not a png".utf8).write(to: text)
        let notPNG = #expect(throws: PNGError.self) { try PNGReader.read(from: text) }
        guard case let .readFailed(path, message)? = notPNG else { return }
        #expect(path == text.path && !message.isEmpty)

        var truncated = try PNGWriter.encode(Self.pattern(.rgb8, width: 40, height: 40))
        truncated.removeLast(truncated.count / 2)
        let cut = folder.url.appendingPathComponent("cut.png")
        try Data(truncated).write(to: cut)
        #expect(throws: PNGError.self) { try PNGReader.read(from: cut) }
    }
}
