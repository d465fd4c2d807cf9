import Foundation
@testable import NBRunEngine
@testable import NBRunReport
import Testing

/// Issue 27, defects 14 and 15: report.html's script caps TeX sizes, library code is not
/// centred, and a scrolling box shows whole lines only (none cut in half at its bottom).
@Suite("report.html layout limits")
struct ReportLayoutTests {
    /// The declarations of the first rule whose selector is exactly `selector`.
    func rule(_ selector: String) throws -> String {
        let lines = ReportStylesheet.css.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let line = try #require(lines.first { $0.hasPrefix(selector + " {") }, "no rule \(selector)")
        return String(line.dropFirst(selector.count + 2).prefix { $0 != "}" })
    }

    func value(_ property: String, in declarations: String) -> String? {
        declarations.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix(property + ":") }.map { String($0.dropFirst(property.count + 1)).trimmingCharacters(in: .whitespaces) }
    }

    @Test func scrollingBoxesShowWholeLines() throws {
        let pre = try rule("pre")
        // Border-box sizing: max-height includes the padding and the 1px borders.
        #expect(ReportStylesheet.css.contains("* { box-sizing: border-box; }"))
        let padding = try #require(value("padding", in: pre)?.split(separator: " ").first.flatMap { Int($0.dropLast(2)) })
        let lineHeight = try #require(value("line-height", in: pre))
        for selector in ["pre.code", "pre.output"] {
            let declarations = try rule(selector)
            let height = try #require(value("max-height", in: declarations), "\(selector) has no max-height")
            // calc(N * <line-height>em + <2 × padding + 2 × border>px): N whole lines.
            let expected = "calc(", suffix = " * \(lineHeight)em + \(2 * padding + 2)px)"
            #expect(height.hasPrefix(expected) && height.hasSuffix(suffix) && Int(height.dropFirst(expected.count).dropLast(suffix.count)) != nil,
                    "\(selector): max-height \(height) is not whole lines of \(lineHeight)em plus \(2 * padding + 2)px")
        }
    }

    @Test func libraryCodeIsLeftAligned() throws {
        #expect(value("text-align", in: try rule("figure")) == "center")
        #expect(value("text-align", in: try rule("figure.code-include")) == "left")
    }

    @Test func texSizesAreCapped() throws {
        let script = ReportScript.javaScript
        let size = try #require(script.range(of: #"maxSize: (\d+)"#, options: .regularExpression).map { script[$0].split(separator: " ")[1] })
        #expect(Int(size).map { $0 > 0 && $0 <= 50 } == true, "maxSize \(size)")
        #expect(script.contains("maxExpand: 1000"))
    }
}
