import Foundation
import Testing

@testable import Figures

@Suite("The notebook's figures, read back from PNG")
struct FigureTests {
    /// A 28 × 28 image: black, with a white square whose size encodes `index`.
    static func squareDigit(_ index: Int) -> [UInt8] {
        (0..<784).map { pixel in
            let (row, column) = (pixel / 28, pixel % 28)
            return row >= 4 && row < 4 + index + 1 && column >= 10 && column < 18 ? 255 : 0
        }
    }

    @Test("digit grid: 2 × 8 digits upscaled ×4 by nearest neighbour, each under its centred title")
    func digitGrid() throws {
        let images = (0..<16).map(Self.squareDigit)
        let titles = (0..<16).map { "Label: \($0 % 10)" }
        let canvas = Figure.digitGrid(images: images, titles: titles)
        let png = try roundTrip(canvas, name: "digit-grid.png")
        let layout = Figure.gridLayout(count: 16, columns: 8, imageWidth: 28, imageHeight: 28, scale: 4,
                                       titles: titles, titleScale: 2, heading: nil)
        #expect(png.color(x: 0, y: 0) == .white && png.color(x: png.width - 1, y: png.height - 1) == .white)
        for index in 0..<16 {
            let origin = layout.imageOrigins[index]
            // Every source pixel is a crisp 4 × 4 block of its own value.
            for (pixel, value) in images[index].enumerated() {
                let x = origin.x + (pixel % 28) * 4, y = origin.y + (pixel / 28) * 4
                #expect(png.color(x: x, y: y) == Color(gray: value) && png.color(x: x + 3, y: y + 3) == Color(gray: value))
            }
            // Just outside the image is page white.
            #expect(png.color(x: origin.x - 1, y: origin.y + 50) == .white)
            #expect(png.color(x: origin.x + 112, y: origin.y + 50) == .white)
            #expect(textIsDrawn(titles[index], in: png, centerX: layout.centers[index], y: layout.titleTops[index],
                                scale: 2))
            // The title sits above its image, not on it.
            #expect(layout.titleTops[index] + BitmapFont.lineHeight * 2 <= origin.y)
        }
        // Second row below the first.
        #expect(layout.imageOrigins[8].y > layout.imageOrigins[0].y + 112)
        #expect(layout.imageOrigins[8].x == layout.imageOrigins[0].x)
    }

    @Test("misclassified grid: long titles widen the cells instead of overlapping")
    func misclassifiedGrid() throws {
        let titles = (0..<10).map { "P: \($0) / T: \(9 - $0)" }
        let canvas = Figure.digitGrid(images: (0..<10).map(Self.squareDigit), titles: titles, rows: 2, columns: 5,
                                      heading: "Misclassified test digits")
        let png = try roundTrip(canvas, name: "misclassified-grid.png")
        let layout = Figure.gridLayout(count: 10, columns: 5, imageWidth: 28, imageHeight: 28, scale: 4,
                                       titles: titles, titleScale: 2, heading: "Misclassified test digits")
        let titleWidth = BitmapFont.size(of: titles[0], scale: 2).width
        #expect(layout.centers[1] - layout.centers[0] >= titleWidth + Figure.columnGap)
        #expect(textIsDrawn("Misclassified test digits", in: png, centerX: png.width / 2, y: Figure.margin, scale: 3))
        for index in 0..<10 {
            #expect(textIsDrawn(titles[index], in: png, centerX: layout.centers[index], y: layout.titleTops[index],
                                scale: 2))
        }
    }

    @Test("prediction figure: one digit ×10 under \"Prediction: 7 | True Label: 7\"")
    func predictionFigure() throws {
        let title = "Prediction: 7 | True Label: 7"
        let image = Self.squareDigit(12)
        let png = try roundTrip(Figure.predictionFigure(image: image, title: title), name: "prediction.png")
        let layout = Figure.gridLayout(count: 1, columns: 1, imageWidth: 28, imageHeight: 28, scale: 10,
                                       titles: [title], titleScale: 2, heading: nil)
        #expect(textIsDrawn(title, in: png, centerX: layout.centers[0], y: layout.titleTops[0], scale: 2))
        let origin = layout.imageOrigins[0]
        #expect(png.color(x: origin.x, y: origin.y) == .black)
        #expect(png.color(x: origin.x + 10 * 10 + 5, y: origin.y + 4 * 10 + 5) == .white)
        #expect(png.color(x: origin.x + 279, y: origin.y + 279) == .black)
        #expect(png.color(x: origin.x + 280, y: origin.y + 279) == .white)
        #expect(png.width >= 280 + 2 * Figure.margin)
    }

    @Test("line chart: title, axis labels, numbered nice ticks, each series in its colour, legend")
    func lineChart() throws {
        let raw = (0..<300).map { 2.3 * exp(-Double($0) / 60) + 0.1 * sin(Double($0)) + 0.15 }
        let smooth = (0..<300).map { 2.3 * exp(-Double($0) / 60) + 0.15 }
        let series = [ChartSeries(name: "per batch", values: raw), ChartSeries(name: "smoothed", values: smooth)]
        let canvas = Figure.lineChart(series: series, title: "Training loss", xLabel: "Batch", yLabel: "Loss")
        let png = try roundTrip(canvas, name: "line-chart.png")
        let layout = Figure.lineChartLayout(series: series, title: "Training loss", width: 960, height: 560)

        #expect(layout.xAxis == AxisScale(minimum: 1, maximum: 300, targetTicks: 8))
        #expect(layout.xAxis.ticks == [0, 50, 100, 150, 200, 250, 300])
        #expect(layout.yAxis.ticks.first == 0 && layout.yAxis.ticks.last == 2.5)
        #expect(textIsDrawn("Training loss", in: png, centerX: (layout.plotLeft + layout.plotRight) / 2,
                            y: Figure.margin, scale: 3))
        for value in layout.xAxis.ticks {
            let x = Int(layout.pixel(ChartPoint(x: value, y: 0)).x.rounded(.down))
            #expect(textIsDrawn(layout.xAxis.label(value), in: png, centerX: x, y: layout.plotBottom + 10, scale: 2),
                    "x tick \(value)")
        }
        #expect(layout.yAxis.label(0.5) == "0.5" && layout.xAxis.label(150) == "150")
        // The series' colours: plenty of fully covered pixels of each (the lines are 2 px thick).
        #expect(count(Color.palette[0], in: png) > 300)
        #expect(count(Color.palette[1], in: png) > 300)
        // A point of the smoothed curve is drawn where the axes put it.
        let middle = layout.pixel(ChartPoint(x: 151, y: smooth[150]))
        #expect(png.color(x: Int(middle.x), y: Int(middle.y)) == Color.palette[1])
        // Legend: a swatch and the name of each series.
        let box = try #require(layout.legendBox)
        #expect(textIsDrawn("per batch", in: png, x: box.x + 48, y: box.y + 10, scale: 2))
        #expect(textIsDrawn("smoothed", in: png, x: box.x + 48, y: box.y + 10 + 24, scale: 2))
        #expect(png.color(x: box.x + 20, y: box.y + 10 + 7) == Color.palette[0])
        #expect(png.color(x: box.x + 20, y: box.y + 10 + 24 + 7) == Color.palette[1])
        // Axis labels: "Batch" under the ticks, "Loss" written upward left of the tick labels.
        #expect(textIsDrawn("Batch", in: png, centerX: (layout.plotLeft + layout.plotRight) / 2,
                            y: layout.plotBottom + 10 + 18 + 10, scale: 2))
        #expect(count(.ink, in: png) > 1000)
    }

    @Test("line chart survives a NaN loss, a flat series and a single point")
    func degenerateCharts() throws {
        let nanSeries = ChartSeries(name: "loss", values: [1, 0.5, .nan, 0.25, .infinity])
        _ = try roundTrip(Figure.lineChart(series: [nanSeries], title: "NaN", xLabel: "x", yLabel: "y"), name: "nan.png")
        let flat = Figure.lineChartLayout(series: [ChartSeries(name: "flat", values: [3, 3, 3])], title: "", width: 960,
                                          height: 560)
        #expect(flat.yAxis.lower < 3 && flat.yAxis.upper > 3)
        let single = ChartSeries(name: "epoch", points: [ChartPoint(x: 1, y: 0.1)])
        let png = try roundTrip(Figure.lineChart(series: [single], title: "one", xLabel: "Epoch", yLabel: "Loss"),
                                name: "single.png")
        #expect(count(Color.palette[0], in: png) > 3)
    }

    @Test("log-scale line chart: decade ticks labelled as powers of ten, values ≤ 0 left out")
    func logarithmicLineChart() throws {
        // A gradient norm falling by 10× every 7 steps, from 2 to about 2e-4, and a zero.
        let decaying = ChartSeries(name: "norm", values: (0..<29).map { 2 * pow(10, -Double($0) / 7) } + [0])
        let canvas = Figure.lineChart(series: [decaying], title: "Gradient", xLabel: "t", yLabel: "norm",
                                      logarithmicY: true, legend: .bottomLeft)
        let png = try roundTrip(canvas, name: "log-chart.png")
        let logSeries = ChartSeries(name: "norm", values: (0..<29).map { log10(2 * pow(10, -Double($0) / 7)) })
        let layout = Figure.lineChartLayout(series: [logSeries], title: "Gradient", width: 960, height: 560,
                                            logarithmicY: true, legend: .bottomLeft)
        #expect(layout.yAxis.ticks == [-4, -3, -2, -1, 0, 1])
        #expect(layout.yAxis.ticks.map(layout.yAxis.label) == ["1e-4", "1e-3", "1e-2", "1e-1", "1", "10"])
        // Each tick label is drawn left of its grid line.
        for value in layout.yAxis.ticks {
            let y = Int(layout.pixel(ChartPoint(x: 1, y: value)).y.rounded(.down))
            let text = layout.yAxis.label(value)
            let width = BitmapFont.size(of: text, scale: 2).width
            #expect(textIsDrawn(text, in: png, x: layout.plotLeft - 10 - width, y: y - BitmapFont.capHeight, scale: 2),
                    "y tick \(text)")
        }
        // The legend sits in the corner asked for, inside the plot.
        let box = try #require(layout.legendBox)
        #expect(box.x == layout.plotLeft + 10 && box.y + box.height == layout.plotBottom - 10)
        #expect(textIsDrawn("norm", in: png, x: box.x + 48, y: box.y + 10, scale: 2))
        // An exponential decay is a straight line: the point at t = 15 lies where log10 puts it.
        let point = layout.pixel(ChartPoint(x: 15, y: log10(2 * pow(10, -14.0 / 7))))
        #expect(png.color(x: Int(point.x), y: Int(point.y)) == Color.palette[0])
    }

    @Test("nice axis steps are 1, 2 or 5 times a power of ten and cover the data")
    func axisScale() {
        for (low, high) in [(0.0, 1.0), (0.013, 0.0271), (1, 1875), (-3.2, 7.9), (0.9877, 0.9912), (1e6, 3.3e6)] {
            let axis = AxisScale(minimum: low, maximum: high)
            let mantissa = axis.step / pow(10, log10(axis.step).rounded(.down))
            #expect([1, 2, 5].contains { abs(mantissa - $0) < 1e-9 }, "step \(axis.step)")
            #expect(axis.lower <= low && axis.upper >= high)
            #expect((2...11).contains(axis.ticks.count), "\(axis.ticks.count) ticks for \(low)...\(high)")
            #expect(Set(axis.ticks.map(axis.label)).count == axis.ticks.count, "labels repeat")
        }
        #expect(AxisScale(minimum: 0.013, maximum: 0.0271).label(0.02) == "0.020")
        #expect(AxisScale(minimum: -1, maximum: 1).label(-1e-17) == "0.0")
    }

    @Test("confusion matrix: cells shaded by count, counts written legibly, axis titles and digits")
    func confusionMatrix() throws {
        var counts = [[Int]](repeating: [Int](repeating: 0, count: 10), count: 10)
        for digit in 0..<10 { counts[digit][digit] = 970 + digit * 15 }
        counts[4][9] = 12
        counts[7][2] = 5
        let png = try roundTrip(Figure.confusionMatrixFigure(counts: counts, title: "Confusion matrix (test set)"),
                                name: "confusion-matrix.png")
        let layout = Figure.confusionMatrixLayout(counts: counts, title: "Confusion matrix (test set)", classLabels: nil)
        let maximum = 970 + 9 * 15
        for (row, column) in [(0, 0), (9, 9), (4, 9), (7, 2), (3, 5)] {
            let origin = layout.cellOrigin(row: row, column: column)
            let fill = Figure.heatColor(counts[row][column], maximum: maximum)
            #expect(png.color(x: origin.x + 2, y: origin.y + 2) == fill, "cell \(row),\(column)")
            let text = "\(counts[row][column])"
            let textColor: Color = fill.luminance < 0.5 ? .white : .ink
            let scale = Figure.countScale(layout.cellSize, maximum)
            let x = origin.x + layout.cellSize / 2 - BitmapFont.size(of: text, scale: scale).width / 2
            let y = origin.y + layout.cellSize / 2 - BitmapFont.capHeight * scale / 2
            #expect(textIsDrawn(text, in: png, x: x, y: y, scale: scale, color: textColor), "count in \(row),\(column)")
        }
        // Darkest on the largest count, lightest on zero; white text on the dark diagonal.
        #expect(Figure.heatColor(maximum, maximum: maximum) == Figure.heatHigh)
        #expect(Figure.heatColor(0, maximum: maximum) == Figure.heatLow)
        let gridBottom = layout.gridTop + 10 * layout.cellSize
        #expect(textIsDrawn("Predicted", in: png, centerX: layout.gridLeft + 5 * layout.cellSize,
                            y: gridBottom + 8 + 18 + 10, scale: 2))
        for digit in 0..<10 {
            #expect(textIsDrawn("\(digit)", in: png, centerX: layout.gridLeft + digit * layout.cellSize + layout.cellSize / 2,
                                y: gridBottom + 8, scale: 2))
        }
    }
}
