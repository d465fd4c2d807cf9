import Foundation

/// One line of a ``Figure/lineChart(series:title:xLabel:yLabel:width:height:logarithmicY:legend:)``.
public struct ChartSeries: Sendable {
    public var name: String
    public var points: [ChartPoint]
    /// nil picks the next colour of ``Color/palette``.
    public var color: Color?
    public var thickness: Double

    public init(name: String, points: [ChartPoint], color: Color? = nil, thickness: Double = 2) {
        self.name = name
        self.points = points
        self.color = color
        self.thickness = thickness
    }

    /// Values plotted at x = 1, 2, 3, … (batch or epoch numbers).
    public init(name: String, values: [Double], color: Color? = nil, thickness: Double = 2) {
        self.init(name: name, points: values.enumerated().map { ChartPoint(x: Double($0.offset + 1), y: $0.element) },
                  color: color, thickness: thickness)
    }
}

public struct ChartPoint: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// Which corner of the plot area a line chart's legend sits in: the one the data leaves free.
public enum LegendCorner: Sendable {
    case topRight, topLeft, bottomRight, bottomLeft
}

/// Where a line chart puts its plot area and what its axes cover, shared with tests.
struct LineChartLayout {
    var plotLeft: Int, plotTop: Int, plotRight: Int, plotBottom: Int
    var xAxis: AxisScale, yAxis: AxisScale
    var legendBox: (x: Int, y: Int, width: Int, height: Int)?

    func pixel(_ point: ChartPoint) -> (x: Double, y: Double) {
        (Double(plotLeft) + xAxis.fraction(point.x) * Double(plotRight - plotLeft),
         Double(plotBottom) - yAxis.fraction(point.y) * Double(plotBottom - plotTop))
    }
}

extension Figure {
    static let tickScale = 2
    static let labelScale = 2
    static let titleScale = 3

    /// A line chart with axes, numbered ticks on nice values, axis labels, a title, and a
    /// legend naming each series in its colour. Points with a NaN or infinite
    /// coordinate are left out (a diverged loss must not wreck the whole chart).
    /// - Parameter logarithmicY: a log-scale y axis with ticks on powers of ten, for values
    ///   spanning orders of magnitude; points with y ≤ 0 are left out.
    public static func lineChart(
        series: [ChartSeries], title: String, xLabel: String, yLabel: String, width: Int = 960, height: Int = 560,
        logarithmicY: Bool = false, legend corner: LegendCorner = .topRight
    ) -> Canvas {
        // A log axis is a linear axis over log10(y).
        let series = logarithmicY
            ? series.map { line in
                var line = line
                line.points = line.points.filter { $0.y > 0 }.map { ChartPoint(x: $0.x, y: log10($0.y)) }
                return line
            }
            : series
        let layout = lineChartLayout(series: series, title: title, width: width, height: height,
                                     logarithmicY: logarithmicY, legend: corner)
        var canvas = Canvas(width: width, height: height)
        let (left, top, right, bottom) = (layout.plotLeft, layout.plotTop, layout.plotRight, layout.plotBottom)
        let tickHeight = BitmapFont.lineHeight * tickScale

        canvas.drawText(title, centerX: (left + right) / 2, y: margin, scale: titleScale)

        // Grid and ticks.
        for value in layout.yAxis.ticks {
            let y = Int(layout.pixel(ChartPoint(x: layout.xAxis.lower, y: value)).y.rounded(.down))
            canvas.fill(x: left, y: y, width: right - left, height: 1, color: .gridGray)
            canvas.fill(x: left - 6, y: y, width: 6, height: 1, color: .ink)
            let text = layout.yAxis.label(value)
            let textWidth = BitmapFont.size(of: text, scale: tickScale).width
            canvas.drawText(text, x: left - 10 - textWidth, y: y - BitmapFont.capHeight * tickScale / 2, scale: tickScale)
        }
        for value in layout.xAxis.ticks {
            let x = Int(layout.pixel(ChartPoint(x: value, y: layout.yAxis.lower)).x.rounded(.down))
            canvas.fill(x: x, y: top, width: 1, height: bottom - top, color: .gridGray)
            canvas.fill(x: x, y: bottom, width: 1, height: 6, color: .ink)
            canvas.drawText(layout.xAxis.label(value), centerX: x, y: bottom + 10, scale: tickScale)
        }
        canvas.strokeRect(x: left, y: top, width: right - left + 1, height: bottom - top + 1, color: .ink)

        // Axis labels.
        canvas.drawText(xLabel, centerX: (left + right) / 2, y: bottom + 10 + tickHeight + 10, scale: labelScale)
        let yLabelLength = BitmapFont.size(of: yLabel, scale: labelScale).width
        canvas.drawText(yLabel, x: margin, y: (top + bottom) / 2 - yLabelLength / 2, scale: labelScale, direction: .upward)

        // Series.
        for (index, line) in series.enumerated() {
            let points = line.points.filter { $0.x.isFinite && $0.y.isFinite }.map(layout.pixel)
            canvas.strokePolyline(points, color: seriesColor(line, index), thickness: line.thickness)
        }

        // Legend, top right inside the plot.
        if let box = layout.legendBox {
            canvas.fill(x: box.x, y: box.y, width: box.width, height: box.height, color: .white)
            canvas.strokeRect(x: box.x, y: box.y, width: box.width, height: box.height, color: Color(hex: 0xBBBBBB))
            for (index, line) in series.enumerated() {
                let rowY = box.y + 10 + index * (tickHeight + 6)
                let middle = rowY + BitmapFont.capHeight * tickScale / 2
                canvas.fill(x: box.x + 10, y: middle - 1, width: 28, height: 3, color: seriesColor(line, index))
                canvas.drawText(line.name, x: box.x + 48, y: rowY, scale: tickScale)
            }
        }
        return canvas
    }

    static func seriesColor(_ series: ChartSeries, _ index: Int) -> Color {
        series.color ?? Color.palette[index % Color.palette.count]
    }

    static func lineChartLayout(
        series: [ChartSeries], title: String, width: Int, height: Int, logarithmicY: Bool = false,
        legend corner: LegendCorner = .topRight
    ) -> LineChartLayout {
        let finite = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let xAxis = AxisScale(minimum: finite.map(\.x).min() ?? 0, maximum: finite.map(\.x).max() ?? 1, targetTicks: 8)
        let yAxis = logarithmicY
            ? AxisScale(logarithmicMinimum: finite.map(\.y).min() ?? 0, maximum: finite.map(\.y).max() ?? 1, targetTicks: 6)
            : AxisScale(minimum: finite.map(\.y).min() ?? 0, maximum: finite.map(\.y).max() ?? 1, targetTicks: 6)
        let tickHeight = BitmapFont.lineHeight * tickScale
        let widestYTick = yAxis.ticks.map { BitmapFont.size(of: yAxis.label($0), scale: tickScale).width }.max() ?? 0
        let left = margin + BitmapFont.lineHeight * labelScale + 12 + widestYTick + 10
        let top = margin + BitmapFont.lineHeight * titleScale + 16
        // Half the widest x tick label may hang past the right end of the axis.
        let lastXLabel = BitmapFont.size(of: xAxis.label(xAxis.upper), scale: tickScale).width
        let right = width - max(margin, lastXLabel / 2 + 8) - 1
        let bottom = height - margin - BitmapFont.lineHeight * labelScale - 10 - tickHeight - 10 - 1
        precondition(right - left > 50 && bottom - top > 50, "lineChart: \(width) × \(height) is too small")

        var legend: (x: Int, y: Int, width: Int, height: Int)?
        if !series.isEmpty {
            let longest = series.map { BitmapFont.size(of: $0.name, scale: tickScale).width }.max() ?? 0
            let legendWidth = 48 + longest + 12
            let legendHeight = 20 + series.count * (tickHeight + 6) - 6
            let x = corner == .topLeft || corner == .bottomLeft ? left + 10 : right - 10 - legendWidth
            let y = corner == .topLeft || corner == .topRight ? top + 10 : bottom - 10 - legendHeight
            legend = (x, y, legendWidth, legendHeight)
        }
        return LineChartLayout(plotLeft: left, plotTop: top, plotRight: right, plotBottom: bottom,
                               xAxis: xAxis, yAxis: yAxis, legendBox: legend)
    }
}
