import Foundation
import Testing

@testable import Figures

/// The notebooks' figures on the chart API, checked in the PNG a reader opens.
@Suite("The notebooks' figures")
struct NotebookFigureTests {
    static func squareDigit(_ index: Int) -> [UInt8] {
        (0..<784).map { pixel in
            let (row, column) = (pixel / 28, pixel % 28)
            return row >= 4 && row < 4 + index + 1 && column >= 10 && column < 18 ? 255 : UInt8(pixel % 7 * 9)
        }
    }

    /// Where each image of a drawing lands, in drawing order.
    static func imageRects(_ drawing: Drawing) -> [(DrawingImage, DrawingRect)] {
        drawing.items.flatMap { item -> [(DrawingImage, DrawingRect)] in
            if case let .clipped(_, inner) = item {
                return inner.compactMap { if case let .image(image, rect) = $0 { (image, rect) } else { nil } }
            }
            return []
        }
    }

    @Test("digit grid: every image pixel is a crisp block of its own grey, each digit under its title")
    func digitGrid() throws {
        let images = (0..<16).map(Self.squareDigit)
        let titles = (0..<16).map { "Label: \($0 % 10)" }
        let chart = Figure.digitGrid(images: images, titles: titles)
        let drawing = chart.drawing()
        let canvas = DrawingRaster.render(drawing, scale: 2)
        let placed = Self.imageRects(drawing)
        #expect(placed.count == 16)
        for (index, (_, rect)) in placed.enumerated() {
            // 28 pixels at 3 CSS px each, 6 PNG pixels each at 2×.
            #expect(abs(rect.width - 84) < 0.01 && abs(rect.height - 84) < 0.01, "\(rect)")
            let x0 = Int((rect.x * 2).rounded()), y0 = Int((rect.y * 2).rounded())
            for (pixel, value) in images[index].enumerated() where pixel % 13 == 0 {
                let x = x0 + (pixel % 28) * 6, y = y0 + (pixel / 28) * 6
                #expect(canvas.color(x: x, y: y) == Color(gray: value) && canvas.color(x: x + 5, y: y + 5) == Color(gray: value))
            }
        }
        let titleTexts = drawing.texts.map(\.text.plain)
        #expect(titleTexts == titles)
        for (index, text) in drawing.texts.enumerated() {
            #expect(text.position.y <= placed[index].1.y, "title \(index) is not above its digit")
            #expect(abs(text.position.x - (placed[index].1.x + 42)) < 0.01, "title \(index) is not centred")
        }
        #expect(placed[8].1.y > placed[0].1.bottom && placed[8].1.x == placed[0].1.x)
    }

    @Test("misclassified grid: long titles widen the panels instead of overlapping")
    func longTitles() {
        let titles = (0..<10).map { "P: \($0) / T: \(9 - $0) (a long title)" }
        let drawing = Figure.digitGrid(images: (0..<10).map(Self.squareDigit), titles: titles, rows: 2, columns: 5,
                                       heading: "Misclassified test digits").drawing()
        let boxes = drawing.texts.map { ChartLayout.bounds(of: .text($0)) }
        for (i, a) in boxes.enumerated() {
            for b in boxes[(i + 1)...] { #expect(!a.intersects(b), "\(a) overlaps \(b)") }
        }
        #expect(drawing.texts.map(\.text.plain) == ["Misclassified test digits"] + titles)
    }

    @Test("confusion matrix: counts written in their cells, white on dark and dark on light, 0–9 on both axes")
    func confusionMatrix() throws {
        var counts = [[Int]](repeating: [Int](repeating: 0, count: 10), count: 10)
        for index in 0..<10 { counts[index][index] = 980 + index }
        counts[4][9] = 7
        let drawing = Figure.confusionMatrixFigure(counts: counts, title: "Confusion matrix (test set)").drawing()
        let texts = drawing.texts
        let diagonal = texts.filter { $0.text.plain == "984" }
        #expect(diagonal.count == 1 && diagonal.first?.color == .white)
        let field = try #require(Self.imageRects(drawing).first { $0.0.columns == 10 }).1
        let rare = try #require(texts.first { $0.text.plain == "7" && field.contains($0.position) && $0.color == .ink })
        // "7" sits in row 4, column 9.
        #expect(abs(rare.position.x - (field.x + 9.5 * field.width / 10)) < 0.01)
        #expect(rare.position.y > field.y + 4 * field.height / 10 && rare.position.y < field.y + 5 * field.height / 10)
        for label in ["Predicted", "True", "count"] { #expect(texts.contains { $0.text.plain == label }) }
        #expect(texts.filter { $0.text.plain == "0" }.count >= 2 + 90)
    }

    @Test("prediction figure: one digit, 8 CSS px per pixel, under its title")
    func prediction() throws {
        let drawing = Figure.predictionFigure(image: Self.squareDigit(7), title: "Prediction: 7 | True Label: 7").drawing()
        let placed = try #require(Self.imageRects(drawing).first)
        // 8 CSS px per image pixel, square, however wide the title.
        #expect(abs(placed.1.width - 224) < 0.01 && abs(placed.1.height - 224) < 0.01, "\(placed.1)")
        #expect(drawing.texts.map(\.text.plain) == ["Prediction: 7 | True Label: 7"])
        #expect(drawing.texts[0].position.y < placed.1.y)
    }

    @Test("lineChart keeps its signature for the stages and draws one legend entry per series")
    func lineChartCompatibility() {
        let chart = Figure.lineChart(series: [ChartSeries(name: "batch loss", values: [2, 1, 0.5]),
                                              ChartSeries(name: "smoothed", values: [2, 1.2, 0.7], color: Color(hex: 0x1F77B4))],
                                     title: "Training loss", xLabel: "epoch", yLabel: "loss")
        let texts = chart.drawing().texts.map(\.text.plain)
        for label in ["Training loss", "epoch", "loss", "batch loss", "smoothed"] { #expect(texts.contains(label)) }
    }
}
