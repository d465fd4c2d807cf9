import Foundation
import NBRun
import SafeText

/// Renders `report.md`: the title, every prose cell verbatim, and for each stage its
/// code, printed output, figures, non-default parameters and a footer saying whether it
/// ran now or came from the cache. Apart from timings and dates it is deterministic.
///
/// Only prose is the notebook author's Markdown. Everything else (names, parameter values,
/// printed output, error messages, captions) is data and is put in code spans, fences or
/// escaped, so that no value can end a fence early, open one, or add markup.
public enum MarkdownReportRenderer {
    public static func render(_ report: Report) -> String {
        var blocks: [String] = ["# " + ControlCharacters.escaped(report.title, allowingNewlines: false)]
        for block in report.blocks {
            switch block {
            case .prose(let markdown):
                blocks.append(ControlCharacters.escaped(markdown, allowingNewlines: true).trimmingCharacters(in: .newlines))
            case .code(let reference, let text, let fingerprint):
                blocks.append(fenced(text, language: "swift") + "\n\n_Code \(inlineCode(reference)) as compiled · "
                              + "\(inlineCode(String(fingerprint.prefix(12))))_")
            case .stage(let stage):
                blocks.append(section(for: stage))
            }
        }
        return blocks.joined(separator: "\n\n") + "\n"
    }

    static func section(for stage: ReportStage) -> String {
        var parts: [String] = ["### Stage \(inlineCode(stage.name)) (\(inlineCode(stage.kind)))"]
        let earlier = stage.results.map { "(\(ReportFormat.isoDate($0.startedAt)))" }
        switch stage.state {
        case .failed(let error):
            parts.append("> **❌ This stage failed:** \(inlineCode(error))")
        case .interrupted:
            parts.append("> **⏹ This stage was interrupted** before it finished; nothing of this run was kept.")
        case .notRun(let reason):
            let previous = earlier.map { " Results below are from an earlier run \($0)." } ?? " There is no earlier result."
            // The reason is nbrun's own sentence about stage names the manifest loader validated.
            parts.append("> **⚠️ Not run in this run:** \(ControlCharacters.escaped(reason, allowingNewlines: false)).\(previous)")
        case .ranNow, .cached:
            break
        }
        if let source = stage.source {
            parts.append(fenced(source, language: "swift"))
        }
        if !stage.parameters.isEmpty {
            let items = stage.parameters.map { parameter in
                let origin = switch parameter.source {
                case .commandLine: " (from `--set`)"
                case .declaredDefault: " (default)"
                case .manifest: ""
                }
                return "\(inlineCode(parameter.name)) = \(parameterValue(parameter.value))" + origin
            }
            parts.append("**Parameters:** " + items.joined(separator: ", "))
        }
        switch stage.state {
        case .failed, .interrupted:
            if !stage.partialOutput.isEmpty {
                parts.append("Output printed before it stopped:")
                parts.append(fenced(stage.partialOutput, language: ""))
            }
            if let results = stage.results, let earlier {
                parts.append("The last complete result, from an earlier run \(earlier), is kept:")
                parts.append(contentsOf: self.results(results, stage: stage.name))
            }
        case .ranNow, .cached, .notRun:
            if let results = stage.results { parts.append(contentsOf: self.results(results, stage: stage.name)) }
        }
        parts.append("_\(stage.footer)_")
        return parts.joined(separator: "\n\n")
    }

    static func results(_ results: ReportStage.Results, stage: String) -> [String] {
        var parts: [String] = []
        if !results.output.isEmpty { parts.append(fenced(results.output, language: "")) }
        // The metrics `runs` and the sweep tables read, as recorded (names are checked when
        // recorded: letters, digits, `-`, `_` and `.`).
        if !results.metrics.isEmpty {
            parts.append("Metrics: " + results.metrics.sorted { $0.key < $1.key }
                .map { "`\($0.key)` = `\(ReportFormat.metric($0.value))`" }.joined(separator: ", "))
        }
        for figure in results.figures {
            parts.append("![\(imageDescription(figure.caption))](\(figurePath(stage: stage, figure: figure.name)))")
        }
        return parts
    }

    /// The figure's path relative to the report, percent-encoded so that spaces or
    /// parentheses in a name cannot end the link.
    static func figurePath(stage: String, figure: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "()[]<>\"'")
        return "\(stage)/\(figure)".addingPercentEncoding(withAllowedCharacters: allowed) ?? figure
    }

    /// An image description cannot hold a code span's literal text in every viewer, so
    /// its punctuation is backslash-escaped and brackets become parentheses, which keeps
    /// captions readable in plain text.
    package static func imageDescription(_ caption: String) -> String {
        let flat = ControlCharacters.escaped(caption, allowingNewlines: false)
            .replacingOccurrences(of: "]", with: ")").replacingOccurrences(of: "[", with: "(")
        var result = ""
        for character in flat {
            if "\\`*_<>&!".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }

    /// A value as a code span; a value holding newlines or other control characters is
    /// shown as a quoted Swift literal instead, since a code span cannot hold a newline.
    package static func parameterValue(_ value: String) -> String {
        if value.isEmpty { return "_(empty)_" }
        if ControlCharacters.containsUnsafe(value, allowingNewlines: false) {
            return inlineCode(ControlCharacters.swiftLiteral(value))
        }
        return inlineCode(value)
    }

    /// A code span whose backtick run is longer than any run inside the text, padded with
    /// a space when the text starts or ends with a backtick or space (CommonMark strips one
    /// space on each side). Control characters, newlines included, are escaped: a code span
    /// is one line.
    package static func inlineCode(_ text: String) -> String {
        let body = ControlCharacters.escaped(text, allowingNewlines: false)
        let ticks = String(repeating: "`", count: longestBacktickRun(in: body) + 1)
        // CommonMark strips one space on each side unless the content is only spaces.
        let onlySpaces = body.allSatisfy { $0 == " " }
        let padded = !onlySpaces && (body.first == "`" || body.last == "`" || body.first == " " || body.last == " ")
        return padded ? "\(ticks) \(body) \(ticks)" : "\(ticks)\(body)\(ticks)"
    }

    /// A fenced block whose fence is longer than any backtick run inside the text, so no
    /// line of the text can close it. Control characters other than newline and tab are escaped.
    package static func fenced(_ text: String, language: String) -> String {
        let body = ControlCharacters.escaped(text, allowingNewlines: true).trimmingCharacters(in: .newlines)
        let fence = String(repeating: "`", count: max(3, longestBacktickRun(in: body) + 1))
        return "\(fence)\(language)\n\(body)\n\(fence)"
    }

    static func longestBacktickRun(in text: String) -> Int {
        var longest = 0, run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        return longest
    }
}
