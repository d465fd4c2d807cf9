import Foundation
import Testing

@testable import Figures

/// The layout's promises: the legend covers no data, labels do not overlap, long text is
/// fitted, ticks fall on round values.
@Suite("Chart layout")
struct ChartLayoutTests {
    /// The legend's frame: the light-grey stroked rectangle the layout draws around it.
    static func legendFrame(_ drawing: Drawing) -> DrawingRect? {
        for item in drawing.items {
            if case let .strokeRect(rect, color, _) = item, color == Color(hex: 0xCCCCCC) { return rect }
        }
        return nil
    }

    static func plotFrames(_ drawing: Drawing) -> [DrawingRect] {
        drawing.items.compactMap { item in
            if case let .clipped(rect, _) = item { return rect }
            return nil
        }
    }

    static func dataItems(_ drawing: Drawing) -> [DrawingItem] {
        drawing.items.flatMap { item -> [DrawingItem] in
            if case let .clipped(_, inner) = item { return inner.filter { if case .text = $0 { false } else { true } } }
            return []
        }
    }

    static func textBoxes(_ drawing: Drawing) -> [DrawingRect] {
        drawing.texts.map { ChartLayout.bounds(of: .text($0)) }
    }

    @Test("the sweep chart's case: rising lines fill the top right, so the legend goes to a free corner")
    func legendAvoidsTheLines() throws {
        // Like Notebooks/figures/sweep.png: accuracy curves rising into the top right.
        let x = (1...10).map(Double.init)
        let chart = Chart(title: "Sweep", x: .linear("epoch"), y: .linear("accuracy")) {
            for hidden in [16.0, 32, 64] {
                LineMark(x: x, y: x.map { 100 - 60 / ($0 * hidden / 16) }, series: "hidden-size=\(Int(hidden))")
            }
        }
        let drawing = chart.drawing()
        let legend = try #require(Self.legendFrame(drawing))
        for item in Self.dataItems(drawing) { #expect(!ChartLayout.touches(item, legend), "the legend covers \(item)") }
        let plot = try #require(Self.plotFrames(drawing).first)
        #expect(legend.x >= plot.x && legend.right <= plot.right, "a free corner exists, so the legend stays inside")
    }

    @Test("data in every corner moves the legend outside the plot, and the plot narrows for it")
    func legendGoesOutside() throws {
        let x = (0...100).map { Double($0) / 10 }
        let chart = Chart(title: "Everywhere") {
            LineMark(x: x, y: x.map { sin($0 * 3) }, series: "first series")
            PointMark(x: [0, 0, 10, 10], y: [-1, 1, -1, 1], series: "corners")
        }
        let drawing = chart.drawing()
        let legend = try #require(Self.legendFrame(drawing))
        let plot = try #require(Self.plotFrames(drawing).first)
        #expect(legend.x >= plot.right, "legend \(legend) inside plot \(plot)")
        #expect(legend.right <= chart.width)
    }

    @Test("no two labels overlap and none leaves the figure, however the chart is sized", arguments: [160.0, 260, 480, 900])
    func labelsDoNotOverlap(width: Double) throws {
        let x = (0...200).map { Double($0) * 537.3 }
        let chart = Chart(title: "A long title that has to be wrapped onto a second line when the figure is narrow",
                          x: .linear("samples seen"), y: .linear("value"), width: width, height: 260) {
            LineMark(x: x, y: x.map { $0 * 1.7e3 }, series: "a series with a rather long name")
        }
        let drawing = chart.drawing()
        let boxes = Self.textBoxes(drawing)
        for (i, a) in boxes.enumerated() {
            #expect(a.x >= -0.5 && a.right <= width + 0.5 && a.y >= -0.5 && a.bottom <= 260.5, "label \(i) \(a) outside \(width) × 260")
            for b in boxes[(i + 1)...] {
                let overlapX = min(a.right, b.right) - max(a.x, b.x), overlapY = min(a.bottom, b.bottom) - max(a.y, b.y)
                #expect(!(overlapX > 0.5 && overlapY > 0.5), "labels overlap: \(a) and \(b)")
            }
        }
    }

    @Test("a long title wraps onto two lines inside the margins; a longer one ends in an ellipsis")
    func titlesWrap() throws {
        let words = String(repeating: "gradient ", count: 60)
        let drawing = Chart(title: words, width: 400, height: 300) { LineMark(x: [0, 1], y: [0, 1]) }.drawing()
        let titles = drawing.texts.filter { $0.weight == .bold }
        #expect(titles.count == 2)
        for title in titles {
            #expect(title.text.width(size: title.size, weight: .bold) <= 400 - 2 * ChartLayout.margin + 0.01)
        }
        #expect(titles.last?.text.plain.hasSuffix("…") == true)
    }

    @Test("linear ticks are 1, 2 or 5 × 10ⁿ and cover the data; log ticks are decades written 10ⁿ")
    func ticks() throws {
        let linear = ResolvedAxis.resolve(.linear(), range: (0.013, 0.87), categories: nil, targetTicks: 5, reversed: false)
        #expect(linear.lower <= 0.013 && linear.upper >= 0.87)
        #expect(linear.labels.map(\.plain) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let negative = ResolvedAxis.resolve(.linear(), range: (-3, 3), categories: nil, targetTicks: 6, reversed: false)
        #expect(negative.labels.first?.plain == "−3" || negative.labels.first?.plain == "−4")
        let log = ResolvedAxis.resolve(.logarithmic(), range: (2e-4, 3), categories: nil, targetTicks: 6, reversed: false)
        #expect(log.labels.map(\.plain) == ["10⁻⁴", "10⁻³", "10⁻²", "10⁻¹", "1", "10"])
        #expect(log.minorTicks.count == 8 * 5)
        #expect(ResolvedAxis.linearLabel(2_500_000, step: 500_000) == "2.5×10⁶")
    }

    @Test("facets: one panel per value in a grid of the given columns, sharing the axes")
    func facets() throws {
        let chart = FigureGallery.faceted
        let drawing = chart.drawing()
        let plots = Self.plotFrames(drawing)
        #expect(plots.count == 4)
        // Two columns: the first two panels side by side, the next two below them.
        #expect(plots[0].y == plots[1].y && plots[1].x > plots[0].right)
        #expect(plots[2].y > plots[0].bottom && plots[2].x == plots[0].x)
        #expect(Set(plots.map(\.width)).count == 1 && Set(plots.map(\.height)).count == 1)
        let titles = drawing.texts.filter { $0.weight == .bold }.map(\.text.plain)
        #expect(Array(titles.dropFirst()) == ["lr = 0.1", "lr = 0.01", "lr = 0.001", "lr = 0.0001"])
        // The rule without a facet is drawn in every panel.
        let rules = drawing.texts.filter { $0.text.plain == "target" }
        #expect(rules.count == 4)
        // With facets the legend sits outside every panel.
        let legend = try #require(Self.legendFrame(drawing))
        #expect(plots.allSatisfy { !$0.intersects(legend) })
    }

    @Test("bars of several series at the same x stand side by side, none covering another")
    func groupedBars() throws {
        let drawing = FigureGallery.groupedBar.drawing()
        let bars = Self.dataItems(drawing).compactMap { item -> DrawingRect? in
            if case let .rect(rect, _, _) = item { return rect }
            return nil
        }
        #expect(bars.count == 12)
        for (i, a) in bars.enumerated() {
            for b in bars[(i + 1)...] {
                #expect(min(a.right, b.right) - max(a.x, b.x) < 0.01, "\(a) overlaps \(b)")
            }
        }
        // Within a category, the series keep their order from left to right.
        #expect(bars[0].x < bars[4].x && bars[4].x < bars[8].x)
    }

    @Test("a rule's label goes where no other mark runs")
    func ruleLabelAvoidsData() throws {
        let drawing = FigureGallery.rule.drawing()
        let labels = drawing.texts.filter { $0.text.plain == "target 95%" || $0.text.plain == "learning rate halved" }
        #expect(labels.count == 2)
        let lines = Self.dataItems(drawing).filter { if case let .polyline(_, _, _, dash) = $0 { dash == nil } else { false } }
        for label in labels {
            let box = ChartLayout.bounds(of: .text(label))
            #expect(!lines.contains { ChartLayout.touches($0, box) }, "\(label.text.plain) is drawn over the line")
        }
    }

    @Test("a heat map has a colour bar from its low to its high colour, and square cells with equal aspect")
    func heatmapColorBar() throws {
        let drawing = FigureGallery.heatmap.drawing()
        let images = drawing.items.compactMap { item -> (DrawingImage, DrawingRect)? in
            if case let .image(image, rect) = item { return (image, rect) }
            return nil
        }
        let bar = try #require(images.first { $0.0.columns == 1 })
        #expect(bar.0.rows == 256)
        let top = Color(red: bar.0.pixels[0], green: bar.0.pixels[1], blue: bar.0.pixels[2])
        #expect(top == ColorMap.blueWhiteRed.color(at: 1))
        let field = Self.dataItems(drawing).compactMap { item -> DrawingRect? in
            if case let .image(image, rect) = item, image.columns == 16 { return rect }
            return nil
        }.first
        let cells = try #require(field)
        #expect(abs(cells.width / 16 - cells.height / 12) < 0.01, "cells are not square: \(cells)")
    }

    @Test("colour maps: viridis grows lighter end to end; the diverging map is near white at its centre")
    func colorMaps() {
        let lightness = (0...20).map { ColorMap.viridis.color(at: Double($0) / 20).luminance }
        #expect(zip(lightness, lightness.dropFirst()).allSatisfy { $0 < $1 })
        #expect(ColorMap.viridis.color(at: 0) == Color(hex: 0x440154) && ColorMap.viridis.color(at: 1) == Color(hex: 0xFDE725))
        #expect(ColorMap.blueWhiteRed.color(at: 0.5).luminance > 0.95)
        #expect(ColorMap.blueWhiteRed.color(at: 0).blue > ColorMap.blueWhiteRed.color(at: 0).red)
        #expect(ColorMap.viridis.color(at: .nan) == ColorMap.viridis.color(at: 0))
    }

    @Test("NaN, infinite and non-positive values on a log axis are left out; a NaN breaks a line")
    func missingValues() throws {
        let chart = Chart(y: .logarithmic("loss")) {
            LineMark(x: [1, 2, 3, 4, 5, 6], y: [1, 0.5, .nan, 0.2, -1, 0.1])
            PointMark(x: [.infinity, 1], y: [1, 1])
        }
        let drawing = chart.drawing()
        let lines = Self.dataItems(drawing).compactMap { item -> [DrawingPoint]? in
            if case let .polyline(points, _, _, _) = item { return points }
            return nil
        }
        #expect(lines.map(\.count) == [2, 1, 1])
        #expect(lines.joined().allSatisfy { $0.x.isFinite && $0.y.isFinite })
        _ = DrawingRaster.render(drawing, scale: 2)
    }
}
