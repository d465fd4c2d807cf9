import Figures
import Foundation
import NBRunEngine
import NBRunSweep

/// The sweep chart drawn with the notebooks' chart API and written through libpng at 2×.
/// Its legend goes where no line runs, or beside the plot (the chart measures it).
enum SweepChartPNG {
    @Sendable static func write(_ chart: SweepChart, to url: URL) throws {
        let series = chart.series.map { line in
            ChartSeries(name: line.name, points: line.points.map { ChartPoint(x: $0.x, y: $0.y) })
        }
        let figure = Figure.lineChart(series: series, title: chart.title, xLabel: chart.xLabel, yLabel: chart.yLabel)
        try figure.write(to: url, svg: false)
    }
}
