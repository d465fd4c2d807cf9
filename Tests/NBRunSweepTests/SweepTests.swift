import Foundation
@testable import NBRun
@testable import NBRunEngine
@testable import NBRunSweep
import NBRunTestSupport
import Testing

/// Issue 14, part 3: sweeps over a grid, shared upstream stages computed once, the sweep report.
@Suite("Sweeps")
struct SweepTests {
    func axis(_ text: String) throws -> SweepAxis { try SweepAxis(parsing: text) }

    func sweep(_ notebook: TestNotebook, _ axes: [String], fixed: [String] = [], metric: String? = nil,
               charts: ChartLog? = nil) throws -> SweepResult {
        let overrides = try fixed.map { try ParameterOverride(parsing: $0) }
        let grid = try SweepGrid(axes: axes.map { try axis($0) }, fixed: overrides)
        var writer: SweepChartWriter?
        if let charts {
            writer = { chart, url in
                charts.append(chart)
                try Data("chart".utf8).write(to: url)
            }
        }
        let manifest = try notebook.runner.loadManifest(notebook.manifestURL, overrides: overrides)
        return try notebook.runner.sweep(manifest, grid: grid, metric: metric, options: notebook.options(), chartWriter: writer)
    }

    final class ChartLog: @unchecked Sendable {
        private let lock = NSLock()
        private var charts: [SweepChart] = []
        func append(_ chart: SweepChart) { lock.lock(); charts.append(chart); lock.unlock() }
        var all: [SweepChart] { lock.lock(); defer { lock.unlock() }; return charts }
    }

    @Test func axesAndGridsAreParsedAndBadOnesRefusedByName() throws {
        #expect(try axis("train.epochs=1,2,10") == SweepAxis(stage: "train", parameter: "epochs", values: ["1", "2", "10"]))
        #expect(throws: SweepError.invalidAxis("train.epochs=1,,2", reason: "a value is empty")) { try axis("train.epochs=1,,2") }
        #expect(throws: SweepError.invalidAxis("train.epochs=1,1", reason: "value '1' appears twice")) { try axis("train.epochs=1,1") }
        #expect(throws: SweepError.invalidAxis("epochs=1", reason: "expected STAGE.PARAMETER=V1,V2,… (or [LIST];[LIST];… for a list parameter)")) { try axis("epochs=1") }
        #expect(throws: SweepError.repeatedAxis("a.b")) { try SweepGrid(axes: [try axis("a.b=1"), try axis("a.b=2")]) }
        #expect(throws: SweepError.sweptAndSet("a.b")) {
            try SweepGrid(axes: [try axis("a.b=1,2")], fixed: [ParameterOverride(stage: "a", parameter: "b", value: "3")])
        }
        #expect(throws: SweepError.tooManyVariants("65 × 65 × 65", limit: SweepGrid.maximumVariants)) {
            let values = (0..<65).map(String.init).joined(separator: ",")
            return try SweepGrid(axes: [try axis("a.b=\(values)"), try axis("a.c=\(values)"), try axis("a.d=\(values)")])
        }
        let grid = try SweepGrid(axes: [try axis("a.x=1,2"), try axis("b.y=p,q,r")])
        #expect(grid.combinations.map { $0.map(\.description) } == [
            ["a.x=1", "b.y=p"], ["a.x=1", "b.y=q"], ["a.x=1", "b.y=r"],
            ["a.x=2", "b.y=p"], ["a.x=2", "b.y=q"], ["a.x=2", "b.y=r"],
        ])
        #expect(SweepError.sweptAndSet("a.b").description == "a.b is both swept and set with --set; drop one of them")
    }

    @Test func everyCombinationRunsAndSharedUpstreamStagesAreComputedOnce() throws {
        let notebook = try TestNotebook()
        let charts = ChartLog()
        let result = try sweep(notebook, ["generate.count=5,7", "summarize.label=a,b"], metric: "summarize.count", charts: charts)
        #expect(result.exitCode == 0)
        #expect(result.variants.count == 4)
        let executed = result.variants.flatMap(\.executed)
        #expect(executed.filter { $0 == "generate" }.count == 2, "one generate per count: \(executed)")
        #expect(executed.filter { $0 == "square" }.count == 2)
        #expect(executed.filter { $0 == "histogram" }.count == 2)
        #expect(executed.filter { $0 == "summarize" }.count == 4)
        #expect(result.variants.map { $0.metrics["summarize.count"] } == [5, 5, 7, 7])

        let chart = try #require(charts.all.first)
        #expect(chart.title == "summarize.count by generate.count")
        #expect(chart.series.map(\.name) == ["summarize.label=a", "summarize.label=b"])
        #expect(chart.series.allSatisfy { $0.points.map(\.x) == [5, 7] && $0.points.map(\.y) == [5, 7] })

        let report = try String(contentsOf: try #require(result.reportURL), encoding: .utf8)
        #expect(report.contains("4 variants of `generate.count` ∈ {`5`, `7`} × `summarize.label` ∈ {`a`, `b`}"))
        #expect(report.contains("| 1 | `5` | `a` | 5 |"), "\(report)")
        #expect(report.contains("| 4 | `7` | `b` | 7 |"), "\(report)")
        #expect(report.contains("![summarize.count by generate.count](sweep.png)"))
        #expect(try notebook.read("summarize", "summary.json").contains("\"count\": 7"), "the view shows the last variant")
        #expect(try notebook.report().contains("`label` = `b` (from `--set`)"), "report.md matches the last variant")

        let again = try sweep(notebook, ["generate.count=5,7", "summarize.label=a,b"])
        let computedAgain = again.variants.flatMap(\.executed)
        #expect(computedAgain.isEmpty, "every variant is cached")
        #expect(again.metric == "summarize.count", "the first metric recorded, by name, when none is chosen")
        let againReport = try String(contentsOf: try #require(again.reportURL), encoding: .utf8)
        #expect(againReport.contains("| nothing (all cached) | ok |"))
        #expect(!FileManager.default.fileExists(atPath: notebook.output.appendingPathComponent("sweep.png").path),
                "no chart writer, no chart: an earlier one would not match the table")
    }

    @Test func nonNumericValuesArePlottedInOrder() throws {
        let grid = try SweepGrid(axes: [try axis("summarize.label=z,a")])
        let variants = ["z", "a"].map { label in
            SweepVariant(overrides: [ParameterOverride(stage: "summarize", parameter: "label", value: label)], exitCode: 0,
                         records: [:], executed: [])
        }
        let chart = SweepChart(grid: grid, variants: variants, metric: "summarize.count")
        #expect(chart.series.isEmpty, "no variant recorded the metric")
        #expect(chart.xLabel == "summarize.label: 1=z 2=a")
    }

    @Test func aBadValueStopsTheSweepBeforeAnythingRuns() throws {
        let notebook = try TestNotebook()
        #expect(throws: SweepFailure.self) { try sweep(notebook, ["generate.count=5,many"]) }
        #expect(!FileManager.default.fileExists(atPath: notebook.output.path))
        #expect(throws: SweepFailure.run(.unknownStage("nosuch", known: ["generate", "square", "summarize", "histogram"]))) {
            try sweep(notebook, ["generate.count=5"], metric: "nosuch.x")
        }
        #expect(throws: SweepFailure.sweep(.invalidMetricName("count"))) { try sweep(notebook, ["generate.count=5"], metric: "count") }
    }

    @Test func anUnrecordedMetricIsReportedAndFailsTheSweep() throws {
        let notebook = try TestNotebook()
        let result = try sweep(notebook, ["generate.count=5,6"], metric: "summarize.accuracy", charts: ChartLog())
        #expect(result.exitCode == 1)
        #expect(notebook.console.text.contains("no variant of the sweep recorded metric 'summarize.accuracy'; recorded: summarize.count, summarize.mean"))
        let report = try String(contentsOf: try #require(result.reportURL), encoding: .utf8)
        #expect(report.contains("_No chart: no variant recorded `summarize.accuracy`._"))
    }

    @Test func cleanRemovesTheSweepReport() throws {
        let notebook = try TestNotebook()
        _ = try sweep(notebook, ["generate.count=5,6"], charts: ChartLog())
        let report = try #require(try notebook.runner.clean(notebook.load(), options: notebook.options()))
        #expect(report.removed.contains("sweep.md") && report.removed.contains("sweep.png"))
        #expect(report.removedFolder)
    }
}
