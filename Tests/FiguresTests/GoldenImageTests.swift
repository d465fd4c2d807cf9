import Foundation
import Testing

@testable import Figures

/// Each mark type, text, and the notebooks' figures against reference PNGs (2×), within
/// the tolerance ``GoldenImages`` states.
@Suite("Golden images of each mark and of text")
struct GoldenImageTests {
    @Test("each gallery chart matches its reference PNG", arguments: FigureGallery.all.map(\.name))
    func galleryChart(_ name: String) throws {
        let chart = try #require(FigureGallery.all.first { $0.name == name }?.chart)
        try GoldenImages.check(chart, name: name)
    }

    @Test("text: Greek, ∂, ‖, sub- and superscripts, in both weights")
    func text() throws {
        try GoldenImages.check(FigureGallery.text, name: "text")
    }

    @Test("the comparison fails a chart that moved by a pixel, and passes the same chart")
    func toleranceCatchesAShift() throws {
        let drawing = FigureGallery.line.drawing()
        let canvas = DrawingRaster.render(drawing, scale: 2)
        var shifted = canvas.bitmap
        // Move everything one pixel right.
        for row in 0..<shifted.height {
            for column in stride(from: shifted.width - 1, to: 0, by: -1) {
                for channel in 0..<3 {
                    shifted.pixels[(row * shifted.width + column) * 3 + channel] =
                        canvas.bitmap.pixels[(row * shifted.width + column - 1) * 3 + channel]
                }
            }
        }
        let same = try #require(GoldenImages.compare(canvas.bitmap, canvas.bitmap))
        let moved = try #require(GoldenImages.compare(shifted, canvas.bitmap))
        #expect(same.matches && same.mismatched == 0)
        #expect(!moved.matches, "a one-pixel shift differs in only \(moved.fraction * 100)% of pixels")
    }
}
