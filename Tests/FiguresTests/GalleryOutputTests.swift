import Foundation
import Testing

@testable import Figures

@Suite("Figure gallery")
struct GalleryOutputTests {
    /// With NBRUN_FIGURE_SAMPLES set, writes every gallery chart there as PNG and SVG, to look at.
    @Test("every gallery chart renders to a PNG of twice its size and an SVG")
    func writeSamples() throws {
        let folder = ProcessInfo.processInfo.environment["NBRUN_FIGURE_SAMPLES"].map { URL(fileURLWithPath: $0) }
        for (name, chart) in FigureGallery.all {
            let drawing = chart.drawing()
            let canvas = DrawingRaster.render(drawing, scale: 2)
            #expect(canvas.width == Int((chart.width * 2).rounded()) && canvas.height == Int((chart.height * 2).rounded()))
            let svg = try DrawingSVG.render(drawing)
            #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
            if let folder {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try drawing.write(to: folder.appendingPathComponent("\(name).png"))
            }
        }
    }
}
