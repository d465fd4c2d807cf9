import Foundation
import NBRunEngine
@testable import NBRunReport
import NBRunTestSupport
import Testing

@Suite("The Markdown report")
struct ReportTests {
    @Test func reportHoldsTitleProseCodeOutputFiguresAndFooters() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let report = try notebook.report()
        #expect(report.hasPrefix("# Test notebook\n\nSome *prose* before the stages.\n\n### Stage `generate` (`demo.generate`)\n\n```swift\n/// Writes"))
        #expect(!report.contains("import NBRun"))
        #expect(report.contains("**Parameters:** `seed` = `3`, `count` = `20`"))
        #expect(report.contains("```\ngenerated 20 numbers from seed 3\n```"))
        #expect(report.contains("![Histogram of 20 numbers in 4 bins](histogram/histogram.png)"))
        #expect(report.components(separatedBy: "_Ran now · ").count == 5)
        #expect(report.contains("peak memory"))
        let png = try Data(contentsOf: notebook.artifact("histogram", "histogram.png"))
        #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        // IHDR: the chart's 240 CSS pixels of height at 2× (bytes 20...23); colour type 2 is RGB (libpng via Figures).
        #expect(png.count > 26 && png[png.startIndex + 20 ..< png.startIndex + 24].elementsEqual([0, 0, 1, 0xE0]))
        // The same figure as SVG beside it, for report.html.
        let svg = try String(contentsOf: notebook.artifact("histogram", "histogram.svg"), encoding: .utf8)
        #expect(svg.contains("<svg") && svg.contains("20 numbers"))
        #expect(png.count > 26 && png[png.startIndex + 24] == 8 && png[png.startIndex + 25] == 2)
        let counts = try #require(report.split(separator: "\n").first { $0.hasPrefix("bin counts: ") })
        #expect(counts.dropFirst("bin counts: ".count).split(separator: " ").compactMap { Int($0) }.reduce(0, +) == 20)

        try notebook.run()
        let cached = try notebook.report()
        #expect(cached.components(separatedBy: "_Cached (from 20").count == 5)
        #expect(!cached.contains("_Ran now"))
    }

    @Test func reportIsDeterministicApartFromTimings() throws {
        let first = try TestNotebook(), second = try TestNotebook()
        try first.run()
        try second.run()
        func withoutFooters(_ text: String) -> String {
            text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("_Ran now") && !$0.hasPrefix("_Cached") }
                .joined(separator: "\n")
        }
        #expect(withoutFooters(try first.report()) == withoutFooters(try second.report()))
    }

    @Test func failureMessageWithBackticksAppearsVerbatim() throws {
        let notebook = try TestNotebook("""
            title: fences
            cells:
              - stage: summarize-label
                kind: demo.fail
                parameters: {should-fail: true, message: "has ``` inside"}
            """)
        let result = try notebook.run()
        #expect(result.exitCode == 1)
        #expect(try notebook.report().contains("has ``` inside"))
    }
}
