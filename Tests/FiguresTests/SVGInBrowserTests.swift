import BrowserTestSupport
import Foundation
import Testing

@testable import Figures

/// The SVGs opened in headless Chromium (Debian's `chromium`, which Scripts/test installs):
/// each renders with no console error, its text is set in DejaVu Sans (every label as
/// wide as FreeType measured it, which a fallback font would not be), and it looks like
/// the PNG painted from the same drawing. Without Chromium these tests fail saying so.
@Suite("SVG figures in headless Chromium", .serialized)
struct SVGInBrowserTests {
    /// Of the pixels, at most this fraction may differ by more than ``channelTolerance``
    /// levels between Chromium's 1× rendering of the SVG and ours of the same drawing
    /// (anti-aliasing and glyph hinting differ; a missing mark or a moved label does not
    /// stay under it).
    static let mismatchAllowance = 0.03
    static let channelTolerance = 64
    /// A label's width in Chromium may differ from FreeType's measure by this fraction.
    static let widthTolerance = 0.02

    @Test("every gallery SVG renders, sets its labels in DejaVu Sans, logs no error, and matches the PNG")
    func gallery() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let browser = try DevToolsPipe()
        defer { browser.quit() }
        let tab = try BrowserPage(browser: browser, width: 1000, height: 800)
        for (name, chart) in FigureGallery.all + [("text", FigureGallery.text)] {
            let drawing = chart.drawing()
            let url = folder.url.appendingPathComponent("\(name).svg")
            try drawing.svgText().write(to: url, atomically: true, encoding: .utf8)
            try tab.open(url)
            #expect(tab.errors.isEmpty, "\(name): the console shows \(tab.errors)")

            let measured = try #require(try tab.evaluate("""
                ({ widths: Array.from(document.querySelectorAll('text'), t => t.getComputedTextLength()),
                   scripts: document.querySelectorAll('script').length,
                   family: getComputedStyle(document.querySelector('svg')).fontFamily })
                """) as? [String: Any], "\(name)")
            #expect(measured["scripts"] as? Int == 0)
            let widths = measured["widths"] as? [Double] ?? []
            let expected = drawing.texts.map { $0.text.width(size: $0.size, weight: $0.weight) }
            #expect(widths.count == expected.count, "\(name): \(widths.count) text elements for \(expected.count) labels")
            for (index, (browserWidth, ours)) in zip(widths, expected).enumerated() where ours > 4 {
                #expect(abs(browserWidth - ours) <= ours * Self.widthTolerance + 0.5,
                        "\(name): label \(index) \"\(drawing.texts[index].text.plain)\" is \(browserWidth) px in Chromium, \(ours) measured")
            }

            let shot = try tab.screenshot(clip: (0, 0, chart.width, chart.height))
            let shotURL = folder.url.appendingPathComponent("\(name)-chromium.png")
            try shot.write(to: shotURL)
            let chromium = try PNGReader.read(from: shotURL, as: .rgb8)
            let ours = DrawingRaster.render(drawing, scale: 1).bitmap
            let comparison = try #require(GoldenImages.compare(chromium, ours, tolerance: Self.channelTolerance),
                                          "\(name): Chromium drew \(chromium.width)×\(chromium.height)")
            print("\(name): \(String(format: "%.3f", comparison.fraction * 100))% of pixels differ by more than \(Self.channelTolerance) levels")
            #expect(comparison.fraction <= Self.mismatchAllowance, "\(name): \(comparison.fraction * 100)% of pixels differ")
            if let samples = ProcessInfo.processInfo.environment["NBRUN_FIGURE_SAMPLES"] {
                try? shot.write(to: URL(fileURLWithPath: samples).appendingPathComponent("\(name)-chromium.png"))
            }
        }
    }

    @Test("as the report shows them, through <img>, every SVG loads with its natural size")
    func throughImageElements() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var body = ""
        for (name, chart) in FigureGallery.all {
            try chart.drawing().svgText().write(to: folder.url.appendingPathComponent("\(name).svg"), atomically: true, encoding: .utf8)
            body += "<img src=\"\(name).svg\" alt=\"\(name)\">\n"
        }
        body += "<img src=\"hostile.svg\" alt=\"hostile\">\n"
        try HostileLabelTests.chart(HostileLabelTests.markup + HostileLabelTests.control).svg()
            .write(to: folder.url.appendingPathComponent("hostile.svg"), atomically: true, encoding: .utf8)
        let page = folder.url.appendingPathComponent("page.html")
        try "<!doctype html><meta charset=\"utf-8\"><title>figures</title><body>\n\(body)</body>"
            .write(to: page, atomically: true, encoding: .utf8)
        let browser = try DevToolsPipe()
        defer { browser.quit() }
        let tab = try BrowserPage(browser: browser)
        try tab.open(page)
        #expect(tab.errors.isEmpty, "the console shows \(tab.errors)")
        let images = try #require(try tab.evaluate("Array.from(document.images, i => [i.alt, i.complete, i.naturalWidth, i.naturalHeight])") as? [[Any]])
        #expect(images.count == FigureGallery.all.count + 1)
        let sizes = Dictionary(uniqueKeysWithValues: FigureGallery.all.map { ($0.name, $0.chart) })
        for image in images {
            let name = image[0] as? String ?? ""
            #expect(image[1] as? Bool == true && (image[2] as? Int ?? 0) > 0, "\(name) did not load")
            if let chart = sizes[name] {
                let size = (Double(image[2] as? Int ?? 0), Double(image[3] as? Int ?? 0))
                #expect(abs(size.0 - chart.width) < 1 && abs(size.1 - chart.height) < 1, "\(name): \(image)")
            }
        }
        #expect(try tab.evaluate("document.title") as? String == "figures", "a hostile SVG changed the page")
    }
}
