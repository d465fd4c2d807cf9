import Foundation
@testable import NBRun
@testable import NBRunEngine
@testable import NBRunReport
import SafeText
import SeededRandom
import Testing

/// Random prose, code and values built from the characters that matter to Markdown, HTML
/// and TeX: whatever they are, the page holds only the renderers' own tags and attributes,
/// highlighting keeps the code's text exactly, and a value is one code span in report.md.
/// `NBRUN_FUZZ_ITERATIONS` (default 2000) sets the count of each.
@Suite("Report fuzzing")
struct ReportFuzzTests {
    static let iterations = ProcessInfo.processInfo.environment["NBRUN_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 2000
    static let fragments = [
        "<", ">", "&", "\"", "'", "`", "```", "~~~", "$", "$$", "*", "**", "_", "__", "[", "]", "(", ")", "![", "](",
        "\\", "\n", "\n\n", " ", "  \n", "#", "## ", "- ", "1. ", "> ", "|", "| --- |", "---", "javascript:", "JaVaScRiPt:",
        "data:", "onerror=", " onload=", "<script>", "</code>", "<img src=x ", "&#58;", "&amp;", "x", "word", "\u{1B}[31m",
        "\t", "\r", "é", "http://a", "#x", "a.png", "\\(", "\"\"\"", "//", "/*", "*/", "@attr", "0x1F", "1e-3", "\u{202E}",
    ]

    static func randomText(_ generator: inout SplitMix64) -> String {
        (0..<Int.random(in: 1...40, using: &generator)).map { _ in fragments.randomElement(using: &generator)! }.joined()
    }

    static let allowedTags: Set<String> = [
        "h1", "h2", "h3", "h4", "h5", "h6", "p", "em", "strong", "code", "pre", "a", "img", "span", "br", "hr",
        "blockquote", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td",
    ]
    static let allowedAttributes: Set<String> = ["id", "class", "href", "src", "alt", "title", "start"]
    static let tagPattern = try! NSRegularExpression(pattern: "^<(/?)([a-z0-9]+)((?: [a-z]+=\"[^\"<>]*\")*)>$")
    static let attributePattern = try! NSRegularExpression(pattern: " ([a-z]+)=\"([^\"]*)\"")

    /// Every tag in `html` is one of ours, with only our attributes, and no link or image
    /// points anywhere a script or another machine could be.
    static func checkTags(_ html: String, input: String) {
        var rest = html[...]
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else {
                Issue.record("unclosed tag in \(html.debugDescription) from \(input.debugDescription)")
                return
            }
            let tag = String(rest[open...close])
            rest = rest[rest.index(after: close)...]
            let range = NSRange(tag.startIndex..., in: tag)
            guard let match = tagPattern.firstMatch(in: tag, range: range),
                  let nameRange = Range(match.range(at: 2), in: tag), allowedTags.contains(String(tag[nameRange])) else {
                Issue.record("foreign tag \(tag.debugDescription) from \(input.debugDescription)")
                continue
            }
            for attribute in attributePattern.matches(in: tag, range: range) {
                let name = String(tag[Range(attribute.range(at: 1), in: tag)!])
                let value = String(tag[Range(attribute.range(at: 2), in: tag)!]).lowercased()
                #expect(allowedAttributes.contains(name), "attribute \(name) from \(input.debugDescription)")
                if name == "href" || name == "src" {
                    // A scheme is what precedes a colon that comes before any of / ? #.
                    let head = value.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
                    if let colon = head.firstIndex(of: ":") {
                        #expect(["http", "https", "mailto"].contains(String(head[..<colon])) && name == "href",
                                "\(name)=\(value) from \(input.debugDescription)")
                    }
                    #expect(!value.hasPrefix("//") && !(name == "src" && value.hasPrefix("/")), "\(name)=\(value)")
                }
            }
        }
        #expect(!html.unicodeScalars.contains { ControlCharacters.isUnsafe($0, allowingNewlines: true) })
    }

    @Test func proseRendersOnlyOurTags() {
        var generator = SplitMix64(seed: 0x5EED_0001)
        for _ in 0..<Self.iterations {
            let input = Self.randomText(&generator)
            var renderer = ProseRenderer(ids: HeadingIDs())
            Self.checkTags(renderer.render(input), input: input)
        }
    }

    @Test func highlightingKeepsTheCodeExactlyAndAddsOnlySpans() {
        var generator = SplitMix64(seed: 0x5EED_0002)
        for _ in 0..<Self.iterations {
            let input = Self.randomText(&generator).replacingOccurrences(of: "\r", with: "")
            let html = SwiftHighlighter.highlight(input)
            var text = "", inTag = false
            for character in html {
                if character == "<" { inTag = true } else if character == ">" && inTag { inTag = false } else if !inTag { text.append(character) }
            }
            for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
                text = text.replacingOccurrences(of: entity, with: character)
            }
            #expect(text == input, "highlighting changed \(input.debugDescription)")
            let tags = Set(HTMLReportTests.tags(in: html))
            #expect(tags.isSubset(of: ["span", "/span"]), "\(tags) from \(input.debugDescription)")
        }
    }

    @Test func aValueIsAlwaysExactlyOneCodeSpan() {
        var generator = SplitMix64(seed: 0x5EED_0003)
        for _ in 0..<Self.iterations {
            let value = Self.randomText(&generator)
            let shown = MarkdownReportRenderer.parameterValue(value)
            #expect(!shown.contains("\n"))
            let expected = ControlCharacters.containsUnsafe(value, allowingNewlines: false) ? ControlCharacters.swiftLiteral(value) : value
            #expect(MarkdownReportEscapingTests.codeSpans(in: shown) == [expected], "\(value.debugDescription) → \(shown.debugDescription)")
        }
    }

    @Test func outputAlwaysStaysInsideItsFence() {
        var generator = SplitMix64(seed: 0x5EED_0004)
        for _ in 0..<Self.iterations {
            let output = Self.randomText(&generator)
            let block = MarkdownReportRenderer.fenced(output, language: "")
            let lines = block.split(separator: "\n", omittingEmptySubsequences: false)
            let fence = lines[0]
            // No inner line may close the fence: a closing fence is a run of at least as many backticks alone on its line.
            for line in lines.dropFirst().dropLast() {
                let trimmed = line.drop { $0 == " " }
                let run = trimmed.prefix { $0 == "`" }.count
                #expect(!(run >= fence.count && trimmed.dropFirst(run).allSatisfy(\.isWhitespace)), "\(output.debugDescription)")
            }
            #expect(lines.last == fence)
        }
    }
}
