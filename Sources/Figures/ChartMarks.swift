/// What a mark draws. Marks are data, not drawing commands: the chart decides the axes,
/// colours, legend and layout from all of them together.
enum MarkShape: Sendable {
    case line(width: Double, dashed: Bool)
    case point(radius: Double, opacity: Double)
    /// Bars centred on x, `width` in x units (nil: 80% of the closest spacing), from `base`.
    case bar(width: Double?, base: Double)
    /// Filled between y and `base` (one value per x, or a constant).
    case area(base: [Double], opacity: Double)
    /// A horizontal rule at each y (when `vertical` is false) or vertical rule at each x.
    case rule(vertical: Bool, label: String?, dashed: Bool)
    /// A grid of values, row 0 on top, coloured by a colour map.
    case heatmap(HeatmapData)
    /// A grey image (row 0 on top), black = 0 unless `inverted`.
    case image(columns: Int, rows: Int, gray: [UInt8])
}

struct HeatmapData: Sendable {
    var columns: Int
    var rows: Int
    /// Row after row.
    var values: [Double]
    var colorMap: ColorMap
    var range: ClosedRange<Double>?
    var logarithmic: Bool
    var cellLabels: [String]?
    var colorBarLabel: String?
}

/// Which panel of a faceted chart a mark belongs to: marks with the same key share one.
struct FacetKey: Sendable, Hashable {
    var id: String
    var title: String
}

/// One mark of a ``Chart``: what ``LineMark``, ``PointMark``, ``BarMark``, ``AreaMark``,
/// ``RuleMark``, ``HeatmapMark`` and ``ImageMark`` make.
public struct Mark: Sendable, ChartContent {
    var shape: MarkShape
    var x: [Double]
    var y: [Double]
    var series: String?
    var color: Color?
    var facet: FacetKey?
    /// Names for x = 0, 1, 2, … (a bar chart of categories).
    var categories: [String]?

    public var chartMarks: [Mark] { [self] }
}

/// Anything a ``ChartBuilder`` accepts: a mark, an array of marks, a ``Panel``.
public protocol ChartContent: Sendable {
    var chartMarks: [Mark] { get }
}

extension Array: ChartContent where Element: ChartContent {
    public var chartMarks: [Mark] { flatMap(\.chartMarks) }
}

/// Builds a chart's marks from a closure, as `Chart { LineMark(…); RuleMark(…) }`, with
/// `if`, `for` and arrays of marks.
@resultBuilder
public enum ChartBuilder {
    public static func buildExpression(_ content: some ChartContent) -> [Mark] { content.chartMarks }
    public static func buildBlock(_ parts: [Mark]...) -> [Mark] { parts.flatMap { $0 } }
    public static func buildArray(_ parts: [[Mark]]) -> [Mark] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [Mark]?) -> [Mark] { part ?? [] }
    public static func buildEither(first: [Mark]) -> [Mark] { first }
    public static func buildEither(second: [Mark]) -> [Mark] { second }
}

/// Checks that paired coordinates match, with a message naming the mark.
private func paired(_ kind: String, _ x: [Double], _ y: [Double]) -> ([Double], [Double]) {
    precondition(x.count == y.count, "\(kind): \(x.count) x values but \(y.count) y values")
    return (x, y)
}

/// Connects the points in order. Points with a NaN or infinite coordinate are left out.
public struct LineMark: ChartContent {
    public let chartMarks: [Mark]
    /// `series` names the legend entry and picks the line's colour unless `color` is
    /// given; `facet` is the panel of a faceted chart the line is drawn in.
    public init(x: [Double], y: [Double], series: String? = nil, color: Color? = nil, width: Double = 1.75,
                dashed: Bool = false, facet: String? = nil) {
        let (x, y) = paired("LineMark", x, y)
        chartMarks = [Mark(shape: .line(width: width, dashed: dashed), x: x, y: y, series: series, color: color,
                           facet: facet.map { FacetKey(id: $0, title: $0) })]
    }

    /// Values plotted at x = 1, 2, 3, … (batch or epoch numbers).
    public init(y: [Double], series: String? = nil, color: Color? = nil, width: Double = 1.75, facet: String? = nil) {
        self.init(x: y.indices.map { Double($0 + 1) }, y: y, series: series, color: color, width: width, facet: facet)
    }
}

/// A dot at each point: a scatter plot.
public struct PointMark: ChartContent {
    public let chartMarks: [Mark]
    public init(x: [Double], y: [Double], series: String? = nil, color: Color? = nil, radius: Double = 2.5,
                opacity: Double = 1, facet: String? = nil) {
        let (x, y) = paired("PointMark", x, y)
        chartMarks = [Mark(shape: .point(radius: radius, opacity: opacity), x: x, y: y, series: series, color: color,
                           facet: facet.map { FacetKey(id: $0, title: $0) })]
    }
}

/// A bar from `base` to each y, centred on its x: histograms and bar charts.
public struct BarMark: ChartContent {
    public let chartMarks: [Mark]
    /// `width` is in x units; nil makes bars 80% of the closest spacing of the x values.
    public init(x: [Double], y: [Double], width: Double? = nil, base: Double = 0, series: String? = nil,
                color: Color? = nil, facet: String? = nil) {
        let (x, y) = paired("BarMark", x, y)
        chartMarks = [Mark(shape: .bar(width: width, base: base), x: x, y: y, series: series, color: color,
                           facet: facet.map { FacetKey(id: $0, title: $0) })]
    }

    /// One bar per named category, in order, labelled on the x axis.
    public init(categories: [String], values: [Double], series: String? = nil, color: Color? = nil,
                facet: String? = nil) {
        precondition(categories.count == values.count, "BarMark: \(categories.count) categories but \(values.count) values")
        chartMarks = [Mark(shape: .bar(width: 0.8, base: 0), x: categories.indices.map(Double.init), y: values,
                           series: series, color: color, facet: facet.map { FacetKey(id: $0, title: $0) },
                           categories: categories)]
    }
}

/// The region between the line through the points and `base` (0 by default), filled translucent.
public struct AreaMark: ChartContent {
    public let chartMarks: [Mark]
    public init(x: [Double], y: [Double], base: Double = 0, series: String? = nil, color: Color? = nil,
                opacity: Double = 0.3, facet: String? = nil) {
        self.init(x: x, y: y, lower: [Double](repeating: base, count: x.count), series: series, color: color,
                  opacity: opacity, facet: facet)
    }

    /// A band between `lower` and `y` (a spread around a mean).
    public init(x: [Double], y: [Double], lower: [Double], series: String? = nil, color: Color? = nil,
                opacity: Double = 0.3, facet: String? = nil) {
        let (x, y) = paired("AreaMark", x, y)
        precondition(lower.count == x.count, "AreaMark: \(x.count) points but \(lower.count) lower values")
        chartMarks = [Mark(shape: .area(base: lower, opacity: opacity), x: x, y: y, series: series, color: color,
                           facet: facet.map { FacetKey(id: $0, title: $0) })]
    }
}

/// A line across the whole plot at a value: a threshold, a target, a mean.
public struct RuleMark: ChartContent {
    public let chartMarks: [Mark]
    /// A horizontal rule at `y`, with an optional label written along it.
    public init(y: Double, label: String? = nil, color: Color? = nil, dashed: Bool = true, facet: String? = nil) {
        chartMarks = [Mark(shape: .rule(vertical: false, label: label, dashed: dashed), x: [], y: [y], series: nil,
                           color: color, facet: facet.map { FacetKey(id: $0, title: $0) })]
    }

    /// A vertical rule at `x`.
    public init(x: Double, label: String? = nil, color: Color? = nil, dashed: Bool = true, facet: String? = nil) {
        chartMarks = [Mark(shape: .rule(vertical: true, label: label, dashed: dashed), x: [x], y: [], series: nil,
                           color: color, facet: facet.map { FacetKey(id: $0, title: $0) })]
    }
}

/// A grid of values as coloured cells (row 0 on top), with a colour bar beside the plot.
public struct HeatmapMark: ChartContent {
    public let chartMarks: [Mark]
    /// `values` are rows of equal length. `range` holds the values at the two ends of the
    /// colour map; nil spans the data (and, for a diverging map, is centred on 0). With
    /// `logarithmic`, colours follow log(1 + value), so that a few small counts beside
    /// large ones stay visible (a confusion matrix). `cellLabels` is text written in each
    /// cell, row after row (the counts); `colorBarLabel` names the colour bar.
    public init(values: [[Double]], colorMap: ColorMap = .viridis, range: ClosedRange<Double>? = nil,
                logarithmic: Bool = false, cellLabels: [[String]]? = nil, colorBarLabel: String? = nil,
                facet: String? = nil) {
        let rows = values.count, columns = values.first?.count ?? 0
        precondition(rows > 0 && columns > 0 && values.allSatisfy { $0.count == columns },
                     "HeatmapMark: values must be non-empty rows of equal length, got \(values.map(\.count))")
        precondition(cellLabels == nil || (cellLabels!.count == rows && cellLabels!.allSatisfy { $0.count == columns }),
                     "HeatmapMark: cellLabels must have the shape of values")
        let data = HeatmapData(columns: columns, rows: rows, values: values.flatMap { $0 }, colorMap: colorMap,
                               range: range, logarithmic: logarithmic, cellLabels: cellLabels?.flatMap { $0 },
                               colorBarLabel: colorBarLabel)
        chartMarks = [Mark(shape: .heatmap(data), x: [-0.5, Double(columns) - 0.5], y: [-0.5, Double(rows) - 0.5],
                           series: nil, color: nil, facet: facet.map { FacetKey(id: $0, title: $0) })]
    }
}

/// A grey image, such as an MNIST digit, drawn with crisp square pixels.
public struct ImageMark: ChartContent {
    public let chartMarks: [Mark]
    /// `gray` holds `width × height` levels, row 0 on top, 0 black and 255 white.
    public init(gray: [UInt8], width: Int, height: Int, facet: String? = nil) {
        precondition(width > 0 && height > 0 && gray.count == width * height,
                     "ImageMark: \(gray.count) pixels for \(width) × \(height)")
        chartMarks = [Mark(shape: .image(columns: width, rows: height, gray: gray), x: [0, Double(width)],
                           y: [0, Double(height)], series: nil, color: nil, facet: facet.map { FacetKey(id: $0, title: $0) })]
    }
}

/// One panel of a faceted chart, with its own title: for a grid whose panels are not
/// values of one variable (a grid of digits, each under its label). Panels with the same
/// title stay separate.
public struct Panel: ChartContent {
    public let chartMarks: [Mark]
    public init(_ title: String, @ChartBuilder content: () -> [Mark]) {
        let key = FacetKey(id: "panel \(Panel.nextIdentifier())", title: title)
        chartMarks = content().map { mark in
            var mark = mark
            mark.facet = key
            return mark
        }
    }

    private static let counter = PanelCounter()
    private static func nextIdentifier() -> Int { counter.next() }
}

/// Numbers panels uniquely across threads (stages may build charts concurrently).
private final class PanelCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func next() -> Int {
        lock.lock(); defer { lock.unlock() }
        value += 1
        return value
    }
}

import Foundation
