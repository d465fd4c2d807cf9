import Figures
import Foundation
import NBRunCore

/// The sweep chart drawn with the notebook's own chart code and written through libpng.
enum SweepChartPNG {
    @Sendable static func write(_ chart: SweepChart, to url: URL) throws {
        let series = chart.series.map { line in
            ChartSeries(name: line.name, points: line.points.map { ChartPoint(x: $0.x, y: $0.y) })
        }
        try PNGWriter.write(Figure.lineChart(series: series, title: chart.title, xLabel: chart.xLabel, yLabel: chart.yLabel), to: url)
    }
}
