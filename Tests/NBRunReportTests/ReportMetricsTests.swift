import Foundation
import NBRunEngine
@testable import NBRunReport
import NBRunTestSupport
import Testing

/// The metrics a stage records reach the report, in both renderings, as `runs` and the
/// sweep tables read them: one way out for a metric.
@Suite("Recorded metrics in report.md and report.html")
struct ReportMetricsTests {
    @Test func aStagesMetricsAreShownWithItsResults() throws {
        let notebook = try TestNotebook()
        let result = try notebook.run()
        #expect(result.exitCode == 0)
        let markdown = try String(contentsOf: notebook.output.appendingPathComponent("report.md"), encoding: .utf8)
        let html = try String(contentsOf: notebook.output.appendingPathComponent("report.html"), encoding: .utf8)
        guard case .ranNow(let record)? = result.outcomes["summarize"], let metrics = record.metrics else {
            Issue.record("summarize recorded no metrics: \(String(describing: result.outcomes["summarize"]))")
            return
        }
        #expect(Set(metrics.keys) == ["count", "mean"])
        let count = ReportFormat.metric(metrics["count"]!), mean = ReportFormat.metric(metrics["mean"]!)
        #expect(markdown.contains("Metrics: `count` = `\(count)`, `mean` = `\(mean)`"), "\(markdown)")
        #expect(html.contains("<span class=\"label\">Metrics</span><ul><li><code>count</code> = <code>\(count)</code></li><li><code>mean</code> = <code>\(mean)</code></li></ul>"))
        // A stage that records none shows no metrics line.
        #expect(markdown.components(separatedBy: "Metrics: ").count == 2)
    }
}
