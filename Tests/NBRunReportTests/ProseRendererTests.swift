@testable import NBRun
@testable import NBRunEngine
@testable import NBRunReport
import Testing

@Suite("Prose to HTML")
struct ProseRendererTests {
    func render(_ markdown: String) -> String {
        var renderer = ProseRenderer(ids: HeadingIDs())
        return renderer.render(markdown)
    }

    @Test func commonMarkdownRendersAsExpected() {
        #expect(render("## Why *recurrent* networks\n\nA **bold** and _em_ word, `code <b>`.")
            == "<h2 id=\"why-recurrent-networks\">Why <em>recurrent</em> networks</h2>\n<p>A <strong>bold</strong> and <em>em</em> word, <code>code &lt;b&gt;</code>.</p>")
        #expect(render("- one\n- two *x*\n\n1. a\n2. b") == "<ul>\n<li>one</li>\n<li>two <em>x</em></li>\n</ul>\n<ol>\n<li>a</li>\n<li>b</li>\n</ol>")
        #expect(render("> quoted\n> more") == "<blockquote>\n<p>quoted\nmore</p>\n</blockquote>")
        #expect(render("| a | b |\n| --- | ---: |\n| 1 | `x|y` |")
            == "<table>\n<thead><tr><th>a</th><th class=\"right\">b</th></tr></thead>\n<tbody>\n<tr><td>1</td><td class=\"right\"><code>x|y</code></td></tr>\n</tbody>\n</table>")
        #expect(render("[docs](Notes/a.md) and ![fig](train/loss.png)")
            == "<p><a href=\"Notes/a.md\">docs</a> and <img src=\"train/loss.png\" alt=\"fig\"></p>")
        #expect(render("line one  \nline two") == "<p>line one<br>\nline two</p>")
        #expect(render("---") == "<hr>")
    }

    @Test func mathIsProtectedFromMarkdown() {
        #expect(render("weights from $\\pm 1/\\sqrt{\\text{fan\\_in}}$ and a_b_c")
            == "<p>weights from <span class=\"math inline\">\\pm 1/\\sqrt{\\text{fan\\_in}}</span> and a_b_c</p>")
        #expect(render("$$c_t = \\Gamma_u * \\tilde{c}_t + \\Gamma_f * c_{t-1}$$")
            == "<p><span class=\"math display\">c_t = \\Gamma_u * \\tilde{c}_t + \\Gamma_f * c_{t-1}</span></p>")
        // A display equation over several lines stays one element, even when a line looks like a list.
        #expect(render("$$\na\n- b\n$$") == "<p><span class=\"math display\">a\n- b</span></p>")
        // Prices are not math; math inside code is code.
        #expect(render("costs $5 and $6, `$x$`") == "<p>costs $5 and $6, <code>$x$</code></p>")
        #expect(render("$a < b$") == "<p><span class=\"math inline\">a &lt; b</span></p>")
    }

    @Test func swiftFencesAreHighlightedOthersEscaped() {
        #expect(render("```swift\nlet x = \"<i>\"\n```") == "<pre class=\"code\"><code class=\"swift\"><span class=\"kw\">let</span> x = <span class=\"str\">&quot;&lt;i&gt;&quot;</span></code></pre>")
        #expect(render("~~~~\n</code></pre><script>\n~~~~") == "<pre class=\"code\"><code>&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;</code></pre>")
    }

    @Test(arguments: [
        "<script>alert(1)</script>",
        "<img src=x onerror=\"alert(1)\">",
        "&x<img/src=x/onerror=alert(1)>;",
        "`</code><script>alert(1)</script>`",
        "<p onclick=alert(1)>x</p>",
        "<!-- <script>alert(1)</script> -->",
        "# <svg onload=alert(1)>",
        "- <iframe src=javascript:alert(1)>",
        "| <b onmouseover=alert(1)> | b |\n| - | - |\n| c | d |",
    ])
    func rawHTMLIsShownAsText(_ hostile: String) {
        let html = render(hostile)
        for tag in ["<script", "<img", "<p on", "<svg", "<iframe", "<b ", "<!--"] {
            #expect(!html.contains(tag), "\(html)")
        }
        #expect(!html.contains("=\"alert") && !html.contains("=alert") || html.contains("&lt;"), "\(html)")
    }

    @Test(arguments: [
        ("[x](javascript:alert(1))", false), ("[x](JAVASCRIPT:alert(1))", false), ("[x](java\tscript:alert(1))", false),
        ("[x](data:text/html,<script>)", false), ("[x](vbscript:x)", false), ("[x](file:///etc/passwd)", false),
        ("[x](//evil.example/a)", false), ("[x](\\\\evil/a)", false),
        ("[x](https://example.org/a?b=1&c=2)", true), ("[x](#section)", true), ("[x](other/page.html)", true),
    ])
    func onlySafeLinkTargetsBecomeLinks(_ markdown: String, _ allowed: Bool) {
        let html = render(markdown)
        #expect(html.contains("<a href=") == allowed, "\(html)")
        #expect(!html.lowercased().contains("href=\"javascript") && !html.contains("href=\"data"))
    }

    @Test func attributesCannotBeBrokenOutOf() {
        let link = render("[x](a\"onmouseover=\"alert(1))")
        #expect(link.contains("href=\"a&quot;onmouseover=&quot;alert(1)\""), "\(link)")
        let image = render("![a\" onerror=\"alert(1)](fig.png)")
        #expect(image == "<p><img src=\"fig.png\" alt=\"a&quot; onerror=&quot;alert(1)\"></p>", "\(image)")
        #expect(render("![x](/etc/passwd) ![y](https://example.org/t.png)").contains("<img") == false)
    }

    @Test func headingIdsAreUniqueAndStable() {
        var renderer = ProseRenderer(ids: HeadingIDs())
        let html = renderer.render("## Training\n\n## Training\n\n### Ünïcode & `code`!")
        #expect(renderer.headings.map(\.id) == ["training", "training-2", "ünïcode-code"])
        #expect(html.contains("<h2 id=\"training-2\">"))
    }

    @Test func deepNestingIsBoundedNotRecursedWithoutEnd() {
        let quotes = String(repeating: ">", count: 5_000) + " deep"
        #expect(render(quotes).contains("deep"))
        let brackets = String(repeating: "[", count: 5_000) + "x" + String(repeating: "](y)", count: 5_000)
        #expect(render(brackets).contains("x"))
        let emphasis = String(repeating: "*a ", count: 3_000) + String(repeating: "b* ", count: 3_000)
        #expect(render(emphasis).contains("a"))
    }
}
