import Foundation
import Testing

@testable import Figures

/// A fresh folder under the system's temporary directory.
struct TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("nbrun-png-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func contents() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Writes `canvas` as PNG, reads it back through libpng, and returns what was read, so
/// every figure test checks the file a user would open rather than the in-memory canvas.
func roundTrip(_ canvas: Canvas, name: String) throws -> Bitmap {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let url = folder.url.appendingPathComponent(name)
    try PNGWriter.write(canvas, to: url)
    if let samples = ProcessInfo.processInfo.environment["NBRUN_FIGURE_SAMPLES"] {
        try? PNGWriter.write(canvas, to: URL(fileURLWithPath: samples).appendingPathComponent(name))
    }
    let bitmap = try PNGReader.read(from: url, as: .rgb8)
    #expect(bitmap.width == canvas.width && bitmap.height == canvas.height)
    return bitmap
}

/// Counts the pixels of exactly `color`.
func count(_ color: Color, in bitmap: Bitmap) -> Int {
    var total = 0
    for y in 0..<bitmap.height {
        for x in 0..<bitmap.width where bitmap.color(x: x, y: y) == color { total += 1 }
    }
    return total
}
