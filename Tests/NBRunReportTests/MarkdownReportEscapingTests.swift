import Foundation
@testable import NBRun
@testable import NBRunEngine
@testable import NBRunReport
import NBRunTestSupport
import Testing

/// Issue 17, item 12 (report side): values, output and messages are data, and whatever
/// they hold cannot end a code span or a fence early, add markup, or put control
/// characters into report.md.
@Suite("report.md escaping")
struct MarkdownReportEscapingTests {
    /// The code spans of a line, as CommonMark reads them: a backtick run opens one that
    /// only a run of the same length closes.
    static func codeSpans(in line: String) -> [String] {
        let characters = Array(line)
        var spans: [String] = []
        var index = 0
        while index < characters.count {
            guard characters[index] == "`" else { index += 1; continue }
            var run = 0
            while index + run < characters.count && characters[index + run] == "`" { run += 1 }
            var search = index + run
            var closed = false
            while search < characters.count {
                if characters[search] == "`" {
                    var closing = 0
                    while search + closing < characters.count && characters[search + closing] == "`" { closing += 1 }
                    if closing == run {
                        var content = String(characters[(index + run)..<search])
                        if content.hasPrefix(" ") && content.hasSuffix(" ") && content.count >= 2 && content.contains(where: { $0 != " " }) {
                            content = String(content.dropFirst().dropLast())
                        }
                        spans.append(content)
                        index = search + closing
                        closed = true
                        break
                    }
                    search += closing
                } else {
                    search += 1
                }
            }
            if !closed { index += run }
        }
        return spans
    }

    @Test(arguments: ["plain", "a`b", "``double``", "`starts", "ends`", " spaced ", "```", "x````y"])
    func aParameterValueWithBackticksIsOneCodeSpanHoldingExactlyIt(_ value: String) {
        let line = MarkdownReportRenderer.parameterValue(value)
        #expect(Self.codeSpans(in: line) == [value], "\(line)")
    }

    @Test func aParameterValueWithNewlinesOrEscapesIsAQuotedLiteralOnOneLine() {
        let value = "first\nsecond\u{1B}[31mred\\n\"q\"\u{202E}"
        let shown = MarkdownReportRenderer.parameterValue(value)
        #expect(!shown.contains("\n") && !shown.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E })
        #expect(Self.codeSpans(in: shown) == ["\"first\\nsecond\\u{1B}[31mred\\\\n\\\"q\\\"\\u{202E}\""], "\(shown)")
        #expect(MarkdownReportRenderer.parameterValue("") == "_(empty)_")
    }

    @Test func outputCannotCloseItsFenceOrCarryControlCharacters() {
        let printed = "line 1\n```\n# not a heading\n````\n\u{1B}[2J\u{1B}[31mred\u{7}\rover\ttab"
        let report = MarkdownReportRenderer.render(Report(title: "t", blocks: [.stage(ReportFixtures.stage("s", output: printed))]))
        let lines = report.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let open = try! #require(lines.firstIndex { $0 == "`````" })
        let close = try! #require(lines[(open + 1)...].firstIndex { $0.hasPrefix("`````") })
        #expect(lines[(open + 1)..<close].joined(separator: "\n") == "line 1\n```\n# not a heading\n````\n\\u{1B}[2J\\u{1B}[31mred\\u{7}\\rover\ttab")
        #expect(!report.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" })
    }

    @Test func aFailureMessageIsOneCodeSpanInTheBanner() {
        let message = "bad ``` value\nsecond line <b>*x*</b> \u{1B}[0m"
        let report = MarkdownReportRenderer.render(Report(title: "t", blocks: [
            .stage(ReportFixtures.stage("s", state: .failed(error: message), fromThisRun: false)),
        ]))
        let banner = try! #require(report.split(separator: "\n").first { $0.hasPrefix("> **❌") }.map(String.init))
        #expect(Self.codeSpans(in: banner) == ["bad ``` value\\nsecond line <b>*x*</b> \\u{1B}[0m"], "\(banner)")
    }

    @Test func titleProseAndCaptionsCarryNoControlCharacters() {
        let report = MarkdownReportRenderer.render(Report(title: "T\u{1B}]0;owned\u{7}\nnext", blocks: [
            .prose("Prose \u{1B}[31mred\u{1B}[0m\nkeeps lines"),
            .stage(ReportFixtures.stage("s", figures: [("a b.png", "cap [x] *y*\n\u{1B}z")])),
        ]))
        #expect(report.hasPrefix("# T\\u{1B}]0;owned\\u{7}\\nnext\n"))
        #expect(report.contains("Prose \\u{1B}[31mred\\u{1B}[0m\nkeeps lines"))
        // Backslashes of the escapes are themselves escaped, so a viewer shows `\n`, `\u{1B}`.
        #expect(report.contains("![cap (x) \\*y\\*\\\\n\\\\u{1B}z](s/a%20b.png)"))
        #expect(!report.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    }

    @Test func aHostileParameterThroughARealRunStaysInItsSpan() throws {
        let notebook = try TestNotebook("""
            title: values
            cells:
              - stage: fails
                kind: demo.fail
                parameters: {should-fail: true, message: "x` **bold**\\n```\\n# heading\\e[31m"}
            """)
        let result = try notebook.run()
        #expect(result.exitCode == 1)
        let report = try notebook.report()
        let parameters = try #require(report.split(separator: "\n").first { $0.hasPrefix("**Parameters:**") }.map(String.init))
        #expect(Self.codeSpans(in: parameters).contains("\"x` **bold**\\n```\\n# heading\\u{1B}[31m\""), "\(parameters)")
        #expect(!report.contains("\n# heading"), "a value started a heading")
        #expect(!report.unicodeScalars.contains { $0.value == 0x1B })
    }
}
