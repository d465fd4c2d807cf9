import Foundation
import NBRunEngine
import NBRunReport
import SafeText

/// `sweep.md`: the sweep's table of every variant (its swept values, every metric, what
/// it computed) and the chart of the chosen metric, next to the notebook's report. Values
/// follow `report.md`'s rules (``MarkdownReportRenderer``): each a code span (a quoted
/// Swift literal when it holds control characters), so no value can add markup, a link or
/// a remote image, and none can break a table row.
enum SweepReport {
    static let fileName = OutputFolder.sweepReportName
    static let chartName = OutputFolder.sweepChartName

    static func markdown(title: String, result: SweepResult, startedAt: Date) -> String {
        let axes = result.grid.axes
        let metrics = Set(result.variants.flatMap(\.metrics.keys)).sorted()
        typealias Markdown = MarkdownReportRenderer
        var lines = ["# Sweep: " + ControlCharacters.escaped(title, allowingNewlines: false), ""]
        lines.append("\(result.variants.count) variant\(result.variants.count == 1 ? "" : "s") of "
            + axes.map { "`\($0.key)` ∈ {\($0.values.map(Markdown.parameterValue).joined(separator: ", "))}" }.joined(separator: " × ")
            + ", run \(ReportFormat.isoDate(startedAt)). Stages shared by several variants were computed once; "
            + "the notebook's `report.md` shows the last variant.")
        lines.append("")
        let header = ["#"] + axes.map { "`\($0.key)`" } + metrics.map(Markdown.inlineCode) + ["computed now", "status"]
        lines.append("| " + header.joined(separator: " | ") + " |")
        lines.append("|" + String(repeating: " --- |", count: header.count))
        for (index, variant) in result.variants.enumerated() {
            let values = variant.metrics
            let cells = ["\(index + 1)"] + axes.map { Markdown.parameterValue(variant.value(of: $0)) }
                + metrics.map { values[$0].map(ReportFormat.metric) ?? "–" }
                + [variant.executed.isEmpty ? (variant.exitCode == 0 ? "nothing (all cached)" : "nothing") : variant.executed.joined(separator: ", "),
                   variant.exitCode == 0 ? "ok" : (variant.exitCode == 130 ? "interrupted" : "failed")]
            lines.append("| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |")
        }
        lines.append("")
        if let metric = result.metric, result.chartURL != nil {
            lines.append("![\(Markdown.imageDescription("\(metric) by \(axes[0].key)"))](\(chartName))")
        } else if let metric = result.metric {
            lines.append("_No chart: no variant recorded \(Markdown.inlineCode(metric))._")
        } else {
            lines.append("_No chart: the notebook's stages record no metrics._")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
