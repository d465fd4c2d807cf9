@testable import NBRun
@testable import NBRunEngine
@testable import NBRunReport
import Testing

@Suite("Swift highlighting")
struct SwiftHighlighterTests {
    func tokens(_ source: String) -> [(String, String)] {
        // (class, text) of every span, text unescaped.
        var result: [(String, String)] = []
        var rest = SwiftHighlighter.highlight(source)[...]
        while let open = rest.range(of: "<span class=\"") {
            rest = rest[open.upperBound...]
            let kind = String(rest.prefix { $0 != "\"" })
            rest = rest[rest.index(rest.firstIndex(of: ">")!, offsetBy: 1)...]
            let close = rest.range(of: "</span>")!
            result.append((kind, String(rest[..<close.lowerBound]).replacingOccurrences(of: "&quot;", with: "\"")
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")))
            rest = rest[close.upperBound...]
        }
        return result
    }

    @Test func keywordsTypesNumbersAttributesAndComments() {
        let found = tokens("@MainActor struct Stage: Sendable { static let rate = 0.001e-3 // learn\n var n = 0x1F /* a /* nested */ b */ }")
        #expect(found.map(\.0) == ["attr", "kw", "ty", "ty", "kw", "kw", "num", "com", "kw", "num", "com"])
        #expect(found.map(\.1) == ["@MainActor", "struct", "Stage", "Sendable", "static", "let", "0.001e-3", "// learn", "var", "0x1F", "/* a /* nested */ b */"])
    }

    @Test func stringsWithInterpolationAndOverSeveralLines() {
        let found = tokens("let s = \"a \\(f(x, \"in\")) b\"\nlet m = \"\"\"\n  two \" quotes\n  \"\"\"\nlet r = #\"raw \\(no) \"#")
        #expect(found.map(\.1) == ["let", "\"a ", "\\(", "\"in\"", ")", " b\"", "let", "\"\"\"\n  two \" quotes\n  \"\"\"", "let", "#\"raw \\(no) \"#"])
        #expect(found[2].0 == "interp" && found[3].0 == "str")
    }

    @Test func everythingIsEscaped() {
        let html = SwiftHighlighter.highlight("let html = \"</code><script>\" // <img onerror=x>\nx < y && y > z")
        #expect(!html.contains("<script") && !html.contains("<img") && !html.contains("</code>"))
        #expect(html.hasSuffix("x &lt; y &amp;&amp; y &gt; z"))
    }

    @Test func unterminatedAndDeeplyNestedInputEnds() {
        #expect(!SwiftHighlighter.highlight("\"open \\( \"\"\" /* never closed").isEmpty)
        let nested = String(repeating: "\"\\(", count: 2_000)
        #expect(SwiftHighlighter.highlight(nested).count > 0)
    }
}
