import Figures
import Foundation
import NBRun

/// Draws a histogram of the upstream numbers (0...999) as a PNG figure, with the project's
/// Figures module like the real notebooks, so the demo exercises figures end to end.
struct HistogramStage: Stage {
    static let name = "histogram"
    static let summary = "Draws a histogram of numbers.txt as a PNG figure."

    @Parameter(help: "Number of bars.", range: 1...100) var bins = 10

    /// Layout in pixels: bar width, plot height and the margins around the plot.
    static let barWidth = 12, plotHeight = 120, margin = 10, titleHeight = 16

    func run(_ context: StageContext) throws {
        let numbers = try context.read(DemoArtifacts.numbers).values
        var counts = [Int](repeating: 0, count: bins)
        for number in numbers { counts[min(bins - 1, max(0, number) * bins / 1000)] += 1 }

        let canvas = Self.draw(counts, title: "\(numbers.count) numbers")
        try PNGWriter.write(canvas, to: context.outputURL(for: "histogram.png"))
        context.addFigure("histogram.png", caption: "Histogram of \(numbers.count) numbers in \(bins) bins")
        context.print("bin counts: \(counts.map(String.init).joined(separator: " "))")
    }

    /// Bars scaled so the tallest fills the plot, on a baseline, under a short title.
    static func draw(_ counts: [Int], title: String) -> Canvas {
        let plotWidth = counts.count * barWidth
        let titleWidth = BitmapFont.size(of: title).width
        let width = max(plotWidth, titleWidth) + 2 * margin
        let baseline = margin + titleHeight + plotHeight
        var canvas = Canvas(width: width, height: baseline + margin)
        canvas.drawText(title, centerX: width / 2, y: margin)
        let left = (width - plotWidth) / 2
        let tallest = max(counts.max() ?? 1, 1)
        for (bin, count) in counts.enumerated() {
            let height = count * plotHeight / tallest
            canvas.fill(x: left + bin * barWidth + 1, y: baseline - height, width: barWidth - 2, height: height,
                        color: Color.palette[0])
        }
        canvas.fill(x: left, y: baseline, width: plotWidth, height: 1, color: .ink)
        return canvas
    }
}
