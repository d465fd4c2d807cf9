import AtomicFiles
import Foundation

/// A chart could not be written.
public enum FigureError: Error, Equatable, Sendable, CustomStringConvertible {
    case font(FontError)
    case png(PNGError)
    case svgWriteFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .font(error): error.description
        case let .png(error): error.description
        case let .svgWriteFailed(path, reason): "cannot write SVG \(path): \(reason)"
        }
    }
}

extension Drawing {
    /// Pixels per CSS pixel of the PNGs figures write: sharp on high-density screens.
    public static let pngScale = 2.0

    /// The PNG file's bytes at `scale`, declaring 96 × `scale` DPI so that it shows at its
    /// intended size.
    public func pngData(scale: Double = Drawing.pngScale) throws(FigureError) -> [UInt8] {
        do { try FontFace.check() } catch { throw .font(error) }
        let canvas = DrawingRaster.render(self, scale: scale)
        do {
            return PNGDensity.withDensity(try PNGWriter.encode(canvas.bitmap), dotsPerInch: 96 * scale)
        } catch { throw .png(error) }
    }

    public func svgText() throws(FigureError) -> String {
        do { try FontFace.check() } catch { throw .font(error) }
        do { return try DrawingSVG.render(self) } catch { throw .png(error) }
    }

    /// Writes the PNG to `url` and, unless `svg` is false, the SVG beside it (`name.svg`
    /// for `name.png`), which `report.html` shows in the PNG's place. Both atomically.
    public func write(to url: URL, svg: Bool = true) throws(FigureError) {
        let png = try pngData()
        do { try AtomicFile.write(png, to: url.path) } catch { throw .png(.writeFailed(path: error.path, reason: error.reason)) }
        guard svg else { return }
        let svgURL = url.deletingPathExtension().appendingPathExtension("svg")
        let text = try svgText()
        do { try AtomicFile.write(Array(text.utf8), to: svgURL.path) } catch {
            throw .svgWriteFailed(path: error.path, reason: error.reason)
        }
    }
}

extension Chart {
    /// Writes the chart as a PNG at 2× to `url` and as an SVG beside it; see ``Drawing/write(to:svg:)``.
    public func write(to url: URL, svg: Bool = true) throws(FigureError) {
        try drawing().write(to: url, svg: svg)
    }
}

extension PNGWriter {
    /// Writes a chart as figures are written: the PNG at 2× with its DPI, and its SVG
    /// beside it for `report.html`. Kept under this name so that stages written as
    /// `PNGWriter.write(Figure.lineChart(…), to: url)` keep working.
    public static func write(_ chart: Chart, to url: URL) throws(FigureError) {
        try chart.write(to: url)
    }
}
