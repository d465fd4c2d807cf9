import Foundation
import NBRun
@testable import NBRunReport
import NBRunTestSupport
import Testing

/// report.html shows a figure's SVG when the stage kept one beside its PNG (what
/// `Chart.write(to:)` writes); report.md always shows the PNG.
@Suite("report.html prefers a figure's SVG sibling")
struct FigureVectorSiblingTests {
    static func results(artifacts: Set<String>) -> ReportStage.Results {
        ReportFixtures.results(figures: [("loss curve.png", "Loss <b>")], artifactNames: artifacts)
    }

    @Test("with loss curve.svg beside loss curve.png the page shows the SVG, escaped and percent-encoded like the PNG")
    func prefersSVG() {
        let html = HTMLReportRenderer.results(Self.results(artifacts: ["loss curve.png", "loss curve.svg"]), stage: "plot", stale: false)
        #expect(html.contains("<figure><img src=\"plot/loss%20curve.svg\" alt=\"Loss &lt;b&gt;\">"))
        let markdown = MarkdownReportRenderer.figurePath(stage: "plot", figure: "loss curve.png")
        #expect(markdown == "plot/loss%20curve.png")
    }

    @Test("without an SVG artifact, or for a figure that is not a PNG, the page shows the file itself")
    func keepsThePNG() {
        let html = HTMLReportRenderer.results(Self.results(artifacts: ["loss curve.png"]), stage: "plot", stale: false)
        #expect(html.contains("<img src=\"plot/loss%20curve.png\""))
        var other = Self.results(artifacts: ["loss curve.jpg", "loss curve.svg"])
        other.figures = [StageFigure(name: "loss curve.jpg", caption: "c")]
        #expect(HTMLReportRenderer.results(other, stage: "plot", stale: false).contains("<img src=\"plot/loss%20curve.jpg\""))
    }
}
