import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

@testable import Figures

/// Labels come from stages and parameters: markup, control characters and huge strings
/// must break neither rendering.
@Suite("Hostile labels in both renderings")
struct HostileLabelTests {
    static let markup = "</text><script>alert(1)</script><![CDATA[x]]>&amp; \"quoted\" 'single' <svg onload=alert(2)>"
    static let control = "bell\u{07} escape\u{1B}[31m red\u{1B}[0m nul\u{00} cr\r lf\n tab\t del\u{7F} rlo\u{202E}evil\u{FFFE}"
    static let huge = String(repeating: "0123456789", count: 1_000)

    static func chart(_ label: String) -> Chart {
        Chart(title: label, x: .linear(label), y: .logarithmic(label), width: 360, height: 240) {
            LineMark(x: [1, 2, 3], y: [1, 10, 100], series: label)
            PointMark(x: [1.5], y: [5], series: label + " points")
            RuleMark(y: 20, label: label)
            BarMark(categories: [label, "b"], values: [10, 50], series: "bars " + label)
        }
    }

    final class ParseCollector: NSObject, XMLParserDelegate {
        var text = ""
        var elements: [String] = []
        var attributes: Set<String> = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            elements.append(name)
            self.attributes.formUnion(attributes.keys)
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
    }

    @Test("the SVG stays well-formed XML with no script, and shows the label as text",
          arguments: [markup, control, huge, "_{^{_{", String(repeating: "∂", count: 5_000)])
    func svgSurvives(_ label: String) throws {
        let svg = try Self.chart(label).svg()
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = ParseCollector()
        parser.delegate = collector
        #expect(parser.parse(), "not well-formed: \(parser.parserError.map { "\($0)" } ?? "")")
        #expect(!collector.elements.contains("script"))
        #expect(Set(collector.elements).isSubset(of: ["svg", "title", "rect", "path", "text", "tspan", "clipPath", "g", "image"]))
        #expect(!collector.attributes.contains { $0.lowercased().hasPrefix("on") }, "\(collector.attributes)")
        // No raw control character reaches the file.
        #expect(!svg.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) || $0 == "\u{202E}" })
        if label == Self.markup { #expect(collector.text.contains("<script>alert(1)</script>"), "the markup is shown as text") }
        // A 10 kB label is cut to what fits, not written out whole in every place.
        #expect(svg.utf8.count < 200_000)
    }

    @Test("the PNG renders and keeps every label inside the figure",
          arguments: [markup, control, huge, String(repeating: "W", count: 3_000)])
    func pngSurvives(_ label: String) throws {
        let chart = Self.chart(label)
        let drawing = chart.drawing()
        for text in drawing.texts {
            let box = ChartLayout.bounds(of: .text(text))
            #expect(box.x >= -0.5 && box.right <= chart.width + 0.5, "\(text.text.plain.prefix(40)) spans \(box)")
            #expect(!text.text.plain.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{202E}" })
        }
        let png = try drawing.pngData()
        #expect(png.count > 1000)
    }

    @Test("control characters are shown as visible escapes, the same rule the reports use")
    func controlCharactersEscaped() {
        let text = StyledText("a\u{1B}b\nc")
        #expect(text.plain == "a\\u{1B}b\\nc")
    }
}
