import Foundation
import Testing

@testable import Figures

/// The README's sweep chart and delay chart, drawn through the same calls as
/// `nbrun --sweep` (SweepChartPNG) and the `remembering` stage, from the measurements the
/// README's tables print. The sweep chart used to put its legend over the hidden-size-64
/// line; here the legend must touch no line. With NBRUN_README_FIGURES set to a folder
/// (`Notebooks/figures`), the PNGs are written there.
@Suite("The README's sweep and delay charts")
struct ReadmeFigureTests {
    static var sweep: Chart {
        // README, "Sweeps": test.accuracy of the six variants.
        let epochs = [1.0, 2, 3]
        return Figure.lineChart(series: [
            ChartSeries(name: "build-model.hidden-size=32", points: zip(epochs, [0.658, 0.7595, 0.824]).map { ChartPoint(x: $0, y: $1) }),
            ChartSeries(name: "build-model.hidden-size=64", points: zip(epochs, [0.7805, 0.8635, 0.8655]).map { ChartPoint(x: $0, y: $1) }),
        ], title: "test.accuracy by train.epochs", xLabel: "train.epochs", yLabel: "test.accuracy")
    }

    static var remembering: Chart {
        // README, "Remembering across a delay": test accuracy (%) at each D.
        let delays = [0.0, 10, 20, 30, 40]
        let table: [(String, [Double])] = [
            ("RNN", [81.4, 60.3, 30.8, 8.8, 11.7]), ("GRU", [92.5, 90.3, 92.2, 90.5, 11.7]),
            ("LSTM", [91.8, 85.0, 65.8, 11.7, 11.7]), ("LSTM, forget bias 1", [92.0, 89.5, 88.6, 79.0, 55.8]),
        ]
        return Figure.lineChart(
            series: table.enumerated().map { index, row in
                ChartSeries(name: row.0, points: zip(delays, row.1).map { ChartPoint(x: $0, y: $1) },
                            color: Color.palette[index % Color.palette.count])
            },
            title: "Test accuracy after D blank rows", xLabel: "D (blank rows between the digit and the answer)",
            yLabel: "test accuracy (%)", legend: .bottomLeft)
    }

    @Test("the legend of each covers no line", arguments: ["sweep", "remembering"])
    func legendClear(_ name: String) throws {
        let chart = name == "sweep" ? Self.sweep : Self.remembering
        let drawing = chart.drawing()
        let legend = try #require(ChartLayoutTests.legendFrame(drawing))
        for item in ChartLayoutTests.dataItems(drawing) { #expect(!ChartLayout.touches(item, legend)) }
        if let folder = ProcessInfo.processInfo.environment["NBRUN_README_FIGURES"] {
            try drawing.write(to: URL(fileURLWithPath: folder).appendingPathComponent("\(name).png"), svg: false)
        }
    }
}
