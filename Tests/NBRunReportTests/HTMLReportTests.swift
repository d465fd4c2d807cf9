import Foundation
@testable import NBRun
@testable import NBRunEngine
@testable import NBRunReport
import NBRunTestSupport
import Testing

@Suite("report.html")
struct HTMLReportTests {
    static let hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&\u{1B}[31m"

    /// The page's tags, in order, by name (`script`, `/p`, …).
    static func tags(in html: String) -> [String] {
        var names: [String] = []
        var rest = html[...]
        while let open = rest.firstIndex(of: "<") {
            rest = rest[rest.index(after: open)...]
            names.append(String(rest.prefix { !$0.isWhitespace && $0 != ">" }).lowercased())
        }
        return names
    }

    @Test func thePolicyComesFirstAndTheOnlyScriptsAreFiles() {
        let html = HTMLReportRenderer.render(Report(title: "T", blocks: [.prose("$x$")]), katexAvailable: true)
        let head = html.components(separatedBy: "</head>")[0]
        let policy = try! #require(head.range(of: "Content-Security-Policy"))
        for element in ["<link", "<script", "<title"] {
            #expect(head.range(of: element)!.lowerBound > policy.lowerBound, "\(element) precedes the policy")
        }
        #expect(head.contains("content=\"default-src 'none'; script-src 'self';"))
        #expect(!HTMLReportRenderer.contentSecurityPolicy.contains("unsafe"))
        #expect(html.components(separatedBy: "<script").count - 1 == 2)
        #expect(html.contains("<script defer src=\"report-assets/katex/katex.min.js\"></script>"))
        #expect(html.contains("<script defer src=\"report-assets/nbrun.js\"></script>"))
    }

    @Test func dataFromStagesAndParametersIsEscapedEverywhere() {
        let stage = ReportFixtures.stage(
            Self.hostile, state: .failed(error: Self.hostile), source: "let s = \"\(Self.hostile)\" // \(Self.hostile)",
            parameters: [.init(name: Self.hostile, value: Self.hostile, source: .commandLine)],
            partialOutput: Self.hostile, output: Self.hostile, figures: [(Self.hostile, Self.hostile)], fromThisRun: false)
        let html = HTMLReportRenderer.render(Report(title: Self.hostile, blocks: [.prose(Self.hostile), .stage(stage)]), katexAvailable: true)
        let tags = Set(Self.tags(in: html))
        #expect(!tags.contains("script") || html.components(separatedBy: "<script").count - 1 == 2)
        #expect(!html.contains("<img src=x") && !html.contains("onerror=alert(2)>"))
        #expect(!html.unicodeScalars.contains { $0.value == 0x1B })
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        // The figure is the only image, its source percent-encoded, its description escaped.
        #expect(html.components(separatedBy: "<img ").count - 1 == 1)
        #expect(html.contains("<img src=\"%3Cscript%3Ealert(1)%3C/script%3E%3Cimg%20src=x%20onerror=alert(2)%3E%22'&amp;%1B%5B31m/%3Cscript%3Ealert(1)%3C/script%3E%3Cimg%20src=x%20onerror=alert(2)%3E%22'&amp;%1B%5B31m\"")
                || html.contains("<img src=\"%3Cscript%3E"), "\(html)")
        #expect(tags.isSubset(of: ["!doctype", "html", "head", "meta", "title", "/title", "link", "script", "/script", "/head", "body",
                                   "div", "/div", "nav", "/nav", "p", "/p", "ul", "/ul", "li", "/li", "a", "/a", "code", "/code",
                                   "main", "/main", "header", "/header", "h1", "/h1", "strong", "/strong", "span", "/span",
                                   "section", "/section", "h3", "/h3", "details", "/details", "summary", "/summary", "pre", "/pre",
                                   "figure", "/figure", "img", "figcaption", "/figcaption", "/body", "/html"]), "\(tags)")
    }

    @Test func stagesShowFootersBannersAndStaleMarks() {
        let report = Report(title: "T", blocks: [
            .prose("## Data"),
            .stage(ReportFixtures.stage("load", output: "read 10 images", figures: [("batch.png", "A batch")])),
            .stage(ReportFixtures.stage("train", state: .failed(error: "loss is NaN"), partialOutput: "epoch 1", fromThisRun: false)),
            .stage(ReportFixtures.stage("test", state: .notRun(reason: "upstream stage train failed"), fromThisRun: false)),
        ])
        let html = HTMLReportRenderer.render(report, katexAvailable: true)
        #expect(html.contains("<div class=\"banner failed\" role=\"alert\"><strong>This run failed</strong> at stage <a href=\"#stage-train\"><code>train</code></a>: <span class=\"message\">loss is NaN</span></div>"))
        #expect(html.contains("<section class=\"stage failed\" id=\"stage-train\">"))
        #expect(html.contains("<p class=\"footer\">Ran now · 250 ms · peak memory 40.0 MiB</p>"))
        #expect(html.contains("<p class=\"footer\">Failed in this run</p>"))
        #expect(html.contains("<pre class=\"output\">epoch 1</pre>"))
        #expect(html.contains("<div class=\"banner not-run\"><strong>Not run in this run:</strong> upstream stage train failed. The results below are from an earlier run"))
        #expect(html.components(separatedBy: "<span class=\"badge stale\">stale</span>").count - 1 == 4, "stale in two stage heads and two contents entries")
        #expect(html.contains("<div class=\"results stale\">"))
        #expect(html.contains("<figure><img src=\"load/batch.png\" alt=\"A batch\"><figcaption>A batch</figcaption></figure>"))
        #expect(html.contains("<li class=\"level-2\"><a href=\"#data\">Data</a></li>"))
        #expect(html.contains("<li class=\"level-3\"><a href=\"#stage-load\"><code>load</code> <span class=\"badge ran\">ran now</span></a></li>"))
    }

    @Test func withoutKaTeXThePageSaysSoAndLoadsNoKaTeX() {
        let html = HTMLReportRenderer.render(Report(title: "T", blocks: [.prose("$x$")]), katexAvailable: false)
        #expect(!html.contains("report-assets/katex"))
        #expect(html.contains("KaTeX was not installed"))
    }
}
