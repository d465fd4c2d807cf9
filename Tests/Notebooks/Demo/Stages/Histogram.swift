import Figures
import Foundation
import NBRun

/// Draws a histogram of the upstream numbers (0...999) as a figure, with the project's
/// Figures module like the real notebooks, so the demo exercises figures end to end (the PNG
/// for report.md, and the SVG beside it that report.html shows).
struct HistogramStage: Stage {
    static let name = "histogram"
    static let summary = "Draws a histogram of numbers.txt as a figure."

    @Parameter(help: "Number of bars.", range: 1...100) var bins = 10

    static let histogram = FigureOutput("histogram.png")

    func run(_ context: StageContext) throws {
        let numbers = try context.read(DemoArtifacts.numbers).values
        var counts = [Int](repeating: 0, count: bins)
        for number in numbers { counts[min(bins - 1, max(0, number) * bins / 1000)] += 1 }

        try context.write(Self.histogram, caption: "Histogram of \(numbers.count) numbers in \(bins) bins") {
            try PNGWriter.write(Self.chart(counts, title: "\(numbers.count) numbers"), to: $0)
        }
        context.print("bin counts: \(counts.map(String.init).joined(separator: " "))")
    }

    /// One bar per bin over the values 0...1000, each as wide as its bin less a small gap.
    static func chart(_ counts: [Int], title: String) -> Chart {
        let width = 1000 / Double(counts.count)
        return Chart(title: title, x: .linear("value", domain: 0...1000), y: .linear("count"), width: 360, height: 240) {
            BarMark(x: counts.indices.map { (Double($0) + 0.5) * width }, y: counts.map(Double.init), width: width * 0.9)
        }
    }
}
