import Foundation
import NBRun
import SafeText

/// Renders `report.html` from the same `Report` as `report.md`: one self-contained page
/// with a table of contents, typeset math, highlighted code, output, figures, footers,
/// the failure banner and stale marks.
///
/// Nothing the notebook's author, a stage or a parameter supplies reaches the page
/// unescaped: prose goes through `ProseRenderer`, code through `SwiftHighlighter`, and
/// everything else through `HTMLText`. As a second line of defence the page carries a
/// Content-Security-Policy that allows only scripts, styles, fonts and images from files
/// (no inline script, no `javascript:` URLs, no network), and the page's only scripts are
/// KaTeX and `report-assets/nbrun.js`, which typesets the math.
public enum HTMLReportRenderer {
    public static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'"

    /// - Parameter katexAvailable: whether the KaTeX assets were copied next to the
    ///   report; without them the math stays TeX source and the page says why.
    public static func render(_ report: Report, katexAvailable: Bool) -> String {
        var ids = HeadingIDs()
        var body: [String] = []
        var contents: [(level: Int, id: String, html: String)] = []
        var stageIDs: [String: String] = [:]
        var level = 1
        for block in report.blocks {
            switch block {
            case .prose(let markdown):
                var prose = ProseRenderer(ids: ids)
                body.append("<div class=\"prose\">\n" + prose.render(markdown) + "\n</div>")
                ids = prose.ids
                for heading in prose.headings {
                    contents.append((heading.level, heading.id, heading.text))
                    level = heading.level
                }
            case .code(let reference, let text, let fingerprint):
                body.append("<figure class=\"code-include\"><pre class=\"code\"><code class=\"swift\">"
                            + SwiftHighlighter.highlight(ControlCharacters.escaped(text, allowingNewlines: true))
                            + "</code></pre><figcaption>Code <code>" + HTMLText.escaped(ControlCharacters.escaped(reference, allowingNewlines: false)) + "</code> as compiled · <code>"
                            + HTMLText.escaped(fingerprint.prefix(12)) + "</code></figcaption></figure>")
            case .stage(let stage):
                let id = ids.allocate(for: stage.name, prefix: "stage-")
                stageIDs[stage.name] = id
                body.append(section(for: stage, id: id))
                let marks = badges(for: stage).map { "<span class=\"badge \($0.kind)\">\($0.text)</span>" }.joined(separator: " ")
                contents.append((level + 1, id, "<code>" + text(stage.name) + "</code> " + marks))
            }
        }

        let title = HTMLText.escaped(ControlCharacters.escaped(report.title, allowingNewlines: false))
        var head = [
            "<!DOCTYPE html>",
            "<html lang=\"en\">",
            "<head>",
            "<meta charset=\"utf-8\">",
            "<meta http-equiv=\"Content-Security-Policy\" content=\"\(contentSecurityPolicy)\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
            "<meta name=\"generator\" content=\"nbrun\">",
            "<title>\(title)</title>",
        ]
        if katexAvailable {
            head.append("<link rel=\"stylesheet\" href=\"\(ReportAssets.folderName)/katex/katex.min.css\">")
        }
        head.append("<link rel=\"stylesheet\" href=\"\(ReportAssets.folderName)/nbrun.css\">")
        if katexAvailable {
            head.append("<script defer src=\"\(ReportAssets.folderName)/katex/katex.min.js\"></script>")
        }
        head.append("<script defer src=\"\(ReportAssets.folderName)/nbrun.js\"></script>")
        head.append("</head>")

        var page = head
        page.append("<body>")
        page.append("<div class=\"page\">")
        page.append(tableOfContents(contents, title: title))
        page.append("<main>")
        page.append("<header class=\"title\"><h1>\(title)</h1>\(summary(report))</header>")
        page.append(contentsOf: runBanner(report, stageIDs: stageIDs))
        if !katexAvailable && body.contains(where: { $0.contains("class=\"math ") }) {
            page.append("<p class=\"note\">The math below is shown as TeX source: KaTeX was not installed when this report was written (on Debian, install the <code>libjs-katex</code> package and run the notebook again).</p>")
        }
        page.append(contentsOf: body)
        page.append("</main>")
        page.append("</div>")
        page.append("</body>")
        page.append("</html>")
        return page.joined(separator: "\n") + "\n"
    }

    static func summary(_ report: Report) -> String {
        var ran = 0, cached = 0, other = 0
        for stage in report.stages {
            switch stage.state {
            case .ranNow: ran += 1
            case .cached: cached += 1
            default: other += 1
            }
        }
        var parts = ["\(report.stages.count) stage\(report.stages.count == 1 ? "" : "s")"]
        if ran > 0 { parts.append("\(ran) ran now") }
        if cached > 0 { parts.append("\(cached) from the cache") }
        if other > 0 { parts.append("\(other) not completed in this run") }
        return "<p class=\"run-summary\">" + parts.joined(separator: " · ") + "</p>"
    }

    static func runBanner(_ report: Report, stageIDs: [String: String]) -> [String] {
        report.problems.map { stage in
            let link = "<a href=\"#\(HTMLText.escaped(stageIDs[stage.name] ?? ""))\"><code>\(text(stage.name))</code></a>"
            switch stage.state {
            case .failed(let error):
                return "<div class=\"banner failed\" role=\"alert\"><strong>This run failed</strong> at stage \(link): <span class=\"message\">\(multiline(error))</span></div>"
            default:
                return "<div class=\"banner interrupted\" role=\"alert\"><strong>This run was interrupted</strong> during stage \(link); nothing of that stage was kept.</div>"
            }
        }
    }

    static func tableOfContents(_ entries: [(level: Int, id: String, html: String)], title: String) -> String {
        var html = "<nav class=\"toc\" aria-label=\"Contents\">\n<p class=\"toc-title\">Contents</p>\n<ul>\n"
        for entry in entries {
            let level = min(max(entry.level, 1), 4)
            html += "<li class=\"level-\(level)\"><a href=\"#\(entry.id)\">\(entry.html)</a></li>\n"
        }
        return html + "</ul>\n</nav>"
    }

    struct Badge {
        var kind: String
        var text: String
    }

    static func badges(for stage: ReportStage) -> [Badge] {
        var badges: [Badge] = []
        switch stage.state {
        case .ranNow: badges.append(Badge(kind: "ran", text: "ran now"))
        case .cached: badges.append(Badge(kind: "cached", text: "cached"))
        case .failed: badges.append(Badge(kind: "failed", text: "failed"))
        case .interrupted: badges.append(Badge(kind: "interrupted", text: "interrupted"))
        case .notRun: badges.append(Badge(kind: "not-run", text: "not run"))
        }
        if let results = stage.results, !results.isFromThisRun { badges.append(Badge(kind: "stale", text: "stale")) }
        return badges
    }

    static func section(for stage: ReportStage, id: String) -> String {
        let stateClass = badges(for: stage).first?.kind ?? "ran"
        var parts: [String] = ["<section class=\"stage \(stateClass)\" id=\"\(id)\">"]
        let marks = badges(for: stage).map { "<span class=\"badge \($0.kind)\">\($0.text)</span>" }.joined(separator: " ")
        parts.append("<div class=\"stage-head\"><h3>Stage <code>\(text(stage.name))</code></h3><span class=\"kind\">\(text(stage.kind))</span>\(marks)</div>")
        let earlier = stage.results.map { ReportFormat.isoDate($0.startedAt) }
        switch stage.state {
        case .failed(let error):
            parts.append("<div class=\"banner failed\"><strong>This stage failed:</strong> <span class=\"message\">\(multiline(error))</span></div>")
        case .interrupted:
            parts.append("<div class=\"banner interrupted\"><strong>This stage was interrupted</strong> before it finished; nothing of this run was kept.</div>")
        case .notRun(let reason):
            let previous = earlier.map { " The results below are from an earlier run (\($0)) and may be stale." } ?? " There is no earlier result."
            parts.append("<div class=\"banner not-run\"><strong>Not run in this run:</strong> \(text(reason)).\(previous)</div>")
        case .ranNow, .cached:
            break
        }
        if let source = stage.source {
            parts.append("<details class=\"source\" open><summary>Swift code</summary><pre class=\"code\"><code class=\"swift\">" + SwiftHighlighter.highlight(ControlCharacters.escaped(source, allowingNewlines: true)) + "</code></pre></details>")
        }
        if !stage.parameters.isEmpty {
            let items = stage.parameters.map { parameter in
                let value = ControlCharacters.containsUnsafe(parameter.value, allowingNewlines: false)
                    ? ControlCharacters.swiftLiteral(parameter.value) : parameter.value
                let origin = switch parameter.source {
                case .commandLine: " <span class=\"from-set\">from --set</span>"
                case .declaredDefault: " <span class=\"from-default\">default</span>"
                case .manifest: ""
                }
                return "<li><code>\(text(parameter.name))</code> = <code>\(HTMLText.escaped(value))</code>\(origin)</li>"
            }
            parts.append("<div class=\"parameters\"><span class=\"label\">Parameters</span><ul>" + items.joined() + "</ul></div>")
        }
        switch stage.state {
        case .failed, .interrupted:
            if !stage.partialOutput.isEmpty {
                parts.append("<p class=\"caption\">Output printed before it stopped:</p>")
                parts.append(output(stage.partialOutput))
            }
            if let results = stage.results, let earlier {
                parts.append("<p class=\"stale-note\">The last complete result, from an earlier run (\(earlier)), is kept:</p>")
                parts.append(self.results(results, stage: stage.name, stale: true))
            }
        case .ranNow, .cached, .notRun:
            if let results = stage.results { parts.append(self.results(results, stage: stage.name, stale: !results.isFromThisRun)) }
        }
        parts.append("<p class=\"footer\">\(text(stage.footer))</p>")
        parts.append("</section>")
        return parts.joined(separator: "\n")
    }

    static func results(_ results: ReportStage.Results, stage: String, stale: Bool) -> String {
        var parts: [String] = ["<div class=\"results\(stale ? " stale" : "")\">"]
        if !results.output.isEmpty { parts.append(output(results.output)) }
        if !results.metrics.isEmpty {
            let items = results.metrics.sorted { $0.key < $1.key }.map {
                "<li><code>\(text($0.key))</code> = <code>\(text(ReportFormat.metric($0.value)))</code></li>"
            }
            parts.append("<div class=\"parameters metrics\"><span class=\"label\">Metrics</span><ul>" + items.joined() + "</ul></div>")
        }
        for figure in results.figures {
            // A chart written through Figures has an SVG beside its PNG, from the same layout:
            // the page shows that (sharp at any density, real text); report.md keeps the PNG.
            let name = vectorSibling(of: figure.name, in: results) ?? figure.name
            let source = HTMLText.escaped(MarkdownReportRenderer.figurePath(stage: stage, figure: name))
            let caption = text(figure.caption)
            parts.append("<figure><img src=\"\(source)\" alt=\"\(caption)\"><figcaption>\(caption)</figcaption></figure>")
        }
        parts.append("</div>")
        return parts.joined(separator: "\n")
    }

    /// `name.svg` when the stage kept one beside the figure `name.png`.
    static func vectorSibling(of name: String, in results: ReportStage.Results) -> String? {
        guard name.lowercased().hasSuffix(".png") else { return nil }
        let svg = String(name.dropLast(4)) + ".svg"
        return results.artifactNames.contains(svg) ? svg : nil
    }

    static func output(_ printed: String) -> String {
        let body = ControlCharacters.escaped(printed, allowingNewlines: true).trimmingCharacters(in: .newlines)
        return "<pre class=\"output\">" + HTMLText.escaped(body) + "</pre>"
    }

    /// Data that may span lines (an error message), shown with its line breaks.
    static func multiline(_ value: String) -> String {
        HTMLText.escaped(ControlCharacters.escaped(value, allowingNewlines: true).trimmingCharacters(in: .newlines))
    }

    /// Data shown as text: control characters made visible, then escaped.
    static func text(_ value: String) -> String {
        HTMLText.escaped(ControlCharacters.escaped(value, allowingNewlines: false))
    }
}
