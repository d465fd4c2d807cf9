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

extension Figure {
    /// A line chart of named series: a ``Chart`` of one ``LineMark`` per series, for a stage
    /// that has its series as named arrays. Points with a NaN or infinite coordinate are
    /// left out (a diverged loss must not wreck the whole chart).
    ///
    /// `logarithmicY` makes a log-scale y axis with ticks on powers of ten, for values
    /// spanning orders of magnitude (points with y ≤ 0 are left out). `corner` is the
    /// legend's preferred corner; it moves to another, or outside the plot, when data lies there.
    public static func lineChart(
        series: [ChartSeries], title: String, xLabel: String, yLabel: String, width: Double = 720, height: Double = 420,
        logarithmicY: Bool = false, legend corner: LegendCorner = .topRight
    ) -> Chart {
        Chart(title: title, x: .linear(xLabel), y: logarithmicY ? .logarithmic(yLabel) : .linear(yLabel),
              width: width, height: height, legend: .automatic(preferring: corner)) {
            for line in series {
                LineMark(x: line.points.map(\.x), y: line.points.map(\.y), series: line.name, color: line.color,
                         width: line.thickness * 0.75)
            }
        }
    }
}
