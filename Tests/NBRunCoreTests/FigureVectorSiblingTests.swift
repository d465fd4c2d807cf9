import Foundation
import Testing
@testable import NBRun
@testable import NBRunCore

/// report.html shows a figure's SVG when the stage kept one beside its PNG (what
/// `Chart.write(to:)` writes); report.md always shows the PNG.
@Suite("report.html prefers a figure's SVG sibling")
struct FigureVectorSiblingTests {
    static func record(artifacts: [String]) -> StageRecord {
        var record = ReportFixtures.record(stage: "plot", figures: [("loss curve.png", "Loss <b>")])
        record.artifacts = artifacts.map { StageRecord.Artifact(name: $0, sha256: String(repeating: "1", count: 64), size: 1) }
        return record
    }

    @Test("with loss curve.svg beside loss curve.png the page shows the SVG, escaped and percent-encoded like the PNG")
    func prefersSVG() {
        let html = HTMLReportRenderer.results(Self.record(artifacts: ["loss curve.png", "loss curve.svg"]), stale: false)
        #expect(html.contains("<figure><img src=\"plot/loss%20curve.svg\" alt=\"Loss &lt;b&gt;\">"))
        let markdown = MarkdownReportRenderer.figurePath(stage: "plot", figure: "loss curve.png")
        #expect(markdown == "plot/loss%20curve.png")
    }

    @Test("without an SVG artifact, or for a figure that is not a PNG, the page shows the file itself")
    func keepsThePNG() {
        let html = HTMLReportRenderer.results(Self.record(artifacts: ["loss curve.png"]), stale: false)
        #expect(html.contains("<img src=\"plot/loss%20curve.png\""))
        var other = Self.record(artifacts: ["loss curve.jpg", "loss curve.svg"])
        other.figures = [StageRecord.Figure(name: "loss curve.jpg", caption: "c")]
        #expect(HTMLReportRenderer.results(other, stale: false).contains("<img src=\"plot/loss%20curve.jpg\""))
    }
}
