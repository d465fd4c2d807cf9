import Foundation

/// How an axis maps values to positions.
public enum AxisScaleKind: Sendable, Hashable {
    case linear
    /// Powers of ten equally spaced; values ≤ 0 are left out.
    case logarithmic
}

/// One axis of a ``Chart``: its label, its scale and, optionally, a fixed range.
public struct ChartAxis: Sendable {
    public var label: String
    public var scale: AxisScaleKind
    /// nil fits the data, rounded out to ticks.
    public var domain: ClosedRange<Double>?
    /// Names for the values 0, 1, 2, … (a heat map's rows, a bar chart's categories).
    public var categories: [String]?
    /// No ticks, labels or frame on this axis (an image).
    public var isHidden: Bool

    public init(label: String = "", scale: AxisScaleKind = .linear, domain: ClosedRange<Double>? = nil,
                categories: [String]? = nil, isHidden: Bool = false) {
        self.label = label
        self.scale = scale
        self.domain = domain
        self.categories = categories
        self.isHidden = isHidden
    }

    public static func linear(_ label: String = "", domain: ClosedRange<Double>? = nil) -> ChartAxis {
        ChartAxis(label: label, domain: domain)
    }

    public static func logarithmic(_ label: String = "", domain: ClosedRange<Double>? = nil) -> ChartAxis {
        ChartAxis(label: label, scale: .logarithmic, domain: domain)
    }

    public static func categories(_ label: String = "", _ names: [String]) -> ChartAxis {
        ChartAxis(label: label, categories: names)
    }

    public static let hidden = ChartAxis(isHidden: true)
}

/// Where a chart's legend goes.
public enum LegendPlacement: Sendable, Hashable {
    /// In the plot corner the data leaves empty (this one tried first), else outside on the right.
    case automatic(preferring: LegendCorner = .topRight)
    /// Always outside the plot, on the right.
    case outside
    case hidden
}

/// A corner of the plot area.
public enum LegendCorner: Sendable, CaseIterable {
    case topRight, topLeft, bottomRight, bottomLeft
}

/// A figure described by its marks, in the spirit of Swift Charts:
///
/// ```swift
/// let chart = Chart(title: "Training loss", x: .linear("epoch"), y: .logarithmic("loss")) {
///     LineMark(x: epochs, y: lstm, series: "LSTM")
///     LineMark(x: epochs, y: gru, series: "GRU")
///     RuleMark(y: 0.05, label: "target")
/// }
/// try chart.write(to: context.outputURL(for: "loss.png"))
/// ```
///
/// The chart picks the axes' ranges and ticks, a colour per series and a legend, and lays
/// everything out so that no label overlaps another and the legend covers no data. Marks
/// given a `facet:` (or wrapped in a ``Panel``) are drawn in a grid of panels sharing
/// the axes. One layout (a ``Drawing``) is painted both as a PNG at 2× pixel density and
/// as an SVG with real text.
public struct Chart: Sendable {
    public var title: String
    public var x: ChartAxis
    public var y: ChartAxis
    /// The figure's size in CSS pixels (the PNG has twice as many in each direction).
    public var width: Double
    public var height: Double
    public var legend: LegendPlacement
    /// Panels per row of a faceted chart; nil picks a near-square grid.
    public var columns: Int?
    /// One x unit is as long as one y unit (images, heat maps with square cells).
    public var equalAspect: Bool
    public var marks: [Mark]

    public init(title: String = "", x: ChartAxis = .linear(), y: ChartAxis = .linear(),
                width: Double = 640, height: Double = 400, legend: LegendPlacement = .automatic(),
                columns: Int? = nil, equalAspect: Bool = false, @ChartBuilder content: () -> [Mark]) {
        self.init(title: title, x: x, y: y, width: width, height: height, legend: legend, columns: columns,
                  equalAspect: equalAspect, marks: content())
    }

    public init(title: String = "", x: ChartAxis = .linear(), y: ChartAxis = .linear(),
                width: Double = 640, height: Double = 400, legend: LegendPlacement = .automatic(),
                columns: Int? = nil, equalAspect: Bool = false, marks: [Mark]) {
        precondition(width >= 80 && height >= 60 && width <= 20_000 && height <= 20_000,
                     "Chart: \(width) × \(height) is not a usable figure size")
        self.title = title
        self.x = x
        self.y = y
        self.width = width
        self.height = height
        self.legend = legend
        self.columns = columns
        self.equalAspect = equalAspect
        self.marks = marks
    }

    /// The laid-out figure both renderings paint.
    public func drawing() -> Drawing { ChartLayout(chart: self).drawing() }

    /// The chart painted at `scale` pixels per CSS pixel.
    public func canvas(scale: Double = 2) -> Canvas { DrawingRaster.render(drawing(), scale: scale) }

    /// The chart as an SVG document.
    public func svg() throws(PNGError) -> String { try DrawingSVG.render(drawing()) }
}
