import Foundation

@testable import Figures

/// One chart per mark type and the notebooks' figures, built from fixed data: the golden
/// images, the browser check and the docs' pictures all draw these.
enum FigureGallery {
    static let epochs = (0..<60).map { Double($0) / 6 }

    static var line: Chart {
        Chart(title: "Training loss", x: .linear("epoch"), y: .linear("cross-entropy loss"), width: 480, height: 300) {
            LineMark(x: epochs, y: epochs.map { 2.3 * exp(-$0 / 2) + 0.05 }, series: "LSTM")
            LineMark(x: epochs, y: epochs.map { 2.3 * exp(-$0 / 3) + 0.08 }, series: "GRU")
        }
    }

    static var point: Chart {
        let x: [Double] = (0..<80).map { (index: Int) -> Double in
            Double(index % 17) * 0.6 + Double(index % 5) * 0.13
        }
        var y: [Double] = []
        for (index, value) in x.enumerated() { y.append(0.5 * value + sin(Double(index)) * 1.2) }
        return Chart(title: "Scatter of two clusters", x: .linear("feature 1"), y: .linear("feature 2"), width: 480, height: 300) {
            PointMark(x: Array(x.prefix(40)), y: Array(y.prefix(40)), series: "class α")
            PointMark(x: Array(x.suffix(40)), y: Array(y.suffix(40)).map { $0 + 3 }, series: "class β")
        }
    }

    static var bar: Chart {
        let counts: [Double] = [3, 9, 21, 38, 52, 47, 30, 16, 6, 2]
        return Chart(title: "Histogram of 224 samples", x: .linear("value"), y: .linear("count"), width: 480, height: 300) {
            BarMark(x: counts.indices.map { Double($0) * 0.5 + 0.25 }, y: counts, width: 0.5)
        }
    }

    static var categoricalBar: Chart {
        Chart(title: "Seconds per epoch", x: .linear("cell"), y: .linear("seconds"), width: 480, height: 300) {
            BarMark(categories: ["RNN", "GRU", "LSTM", "a cell with a very long name indeed"], values: [3.1, 7.9, 9.6, 5])
        }
    }

    static var groupedBar: Chart {
        let cells = ["RNN", "GRU", "LSTM", "LSTM, bias 1"]
        return Chart(title: "Test accuracy by delay D", x: .linear("cell"), y: .linear("accuracy (%)", domain: 0...100),
                     width: 480, height: 300, legend: .outside) {
            BarMark(categories: cells, values: [81.4, 92.5, 91.8, 92.0], series: "D = 0")
            BarMark(categories: cells, values: [30.8, 92.2, 65.8, 88.6], series: "D = 20")
            BarMark(categories: cells, values: [11.7, 11.7, 11.7, 55.8], series: "D = 40")
        }
    }

    static var area: Chart {
        let x = (0...40).map { Double($0) / 4 }
        return Chart(title: "Mean ± one standard deviation", x: .linear("step"), y: .linear("value"), width: 480, height: 300) {
            AreaMark(x: x, y: x.map { sin($0) + 0.4 }, lower: x.map { sin($0) - 0.4 }, series: "spread")
            LineMark(x: x, y: x.map(sin), series: "mean")
        }
    }

    static var rule: Chart {
        let x = (1...30).map(Double.init)
        return Chart(title: "Accuracy against a target", x: .linear("epoch"), y: .linear("accuracy (%)"), width: 480, height: 300) {
            LineMark(x: x, y: x.map { 99 - 40 / $0 }, series: "test accuracy")
            RuleMark(y: 95, label: "target 95%", color: Color(hex: 0xD62728))
            RuleMark(x: 10, label: "learning rate halved")
        }
    }

    static var logarithmic: Chart {
        let t = (1...28).map(Double.init)
        return Chart(title: "Mean ‖∂L/∂x_{t}‖ per step", x: .linear("time step t"), y: .logarithmic("‖∂L/∂x_{t}‖"),
                     width: 480, height: 300) {
            LineMark(x: t, y: t.map { pow(10, -6 + $0 / 5) }, series: "RNN, σ = tanh")
            LineMark(x: t, y: t.map { pow(10, -2.5 + $0 / 30) }, series: "LSTM")
        }
    }

    static var heatmap: Chart {
        let values = (0..<12).map { row in (0..<16).map { column in sin(Double(row) / 3) * cos(Double(column) / 4) } }
        return Chart(title: "A signed field on the diverging map", x: .linear("column"), y: .linear("row"),
                     width: 480, height: 330, equalAspect: true) {
            HeatmapMark(values: values, colorMap: .blueWhiteRed, colorBarLabel: "value")
        }
    }

    static var viridis: Chart {
        let values = (0..<20).map { row in (0..<20).map { column in Double(row * column) } }
        return Chart(title: "Viridis", x: .hidden, y: .hidden, width: 300, height: 260, equalAspect: true) {
            HeatmapMark(values: values, colorMap: .viridis, colorBarLabel: "row × column")
        }
    }

    static var faceted: Chart {
        let x = (0...50).map { Double($0) / 5 }
        return Chart(title: "Loss per learning rate (faceted)", x: .linear("epoch"), y: .logarithmic("loss"),
                     width: 640, height: 420, columns: 2) {
            for (rate, speed) in [("lr = 0.1", 1.5), ("lr = 0.01", 0.8), ("lr = 0.001", 0.3), ("lr = 0.0001", 0.08)] {
                LineMark(x: x, y: x.map { exp(-speed * $0) + 0.01 }, series: "train", facet: rate)
                LineMark(x: x, y: x.map { exp(-speed * 0.8 * $0) + 0.03 }, series: "test", facet: rate)
            }
            RuleMark(y: 0.05, label: "target")
        }
    }

    /// A 28 × 28 "digit": a ring whose radius depends on `index`.
    static func digit(_ index: Int) -> [UInt8] {
        (0..<784).map { pixel in
            let (row, column) = (Double(pixel / 28) - 13.5, Double(pixel % 28) - 13.5)
            let distance = (row * row + column * column).squareRoot()
            let radius = 4 + Double(index % 7)
            return UInt8(max(0, 255 - abs(distance - radius) * 120).rounded())
        }
    }

    static var digits: Chart {
        Figure.digitGrid(images: (0..<16).map(digit), titles: (0..<16).map { "Label: \($0 % 10)" })
    }

    static var confusion: Chart {
        var counts = [[Int]](repeating: [Int](repeating: 0, count: 10), count: 10)
        for row in 0..<10 {
            for column in 0..<10 {
                counts[row][column] = row == column ? 950 + row * 7 : (row + column) % 7 == 0 ? 11 : (row * column) % 5
            }
        }
        return Figure.confusionMatrixFigure(counts: counts, title: "Confusion matrix (test set)")
    }

    /// The notebooks' symbols: Greek, ∂ and ‖, a subscript and a superscript written as
    /// markup, Unicode sub- and superscript characters, and the bold title face.
    static var text: Chart {
        Chart(title: "Gates σ(W_{f}x_{t} + b_{f}), tanh, e^{−x} — ‖∂L/∂h_{t}‖", x: .linear("αβγδε λ μ π θ ω Δ Σ Ω"),
              y: .linear("x² + yₜ, 10⁻³"), width: 480, height: 200, legend: .outside) {
            LineMark(x: [0, 1], y: [0, 1], series: "∂L/∂x_{t}")
            LineMark(x: [0, 1], y: [1, 0], series: "‖h_{t−1}‖^{2}")
        }
    }

    static var all: [(name: String, chart: Chart)] {
        [("line", line), ("point", point), ("bar", bar), ("bar-categories", categoricalBar), ("bar-grouped", groupedBar), ("area", area), ("rule", rule),
         ("log", logarithmic), ("heatmap", heatmap), ("viridis", viridis), ("faceted", faceted), ("digits", digits),
         ("confusion", confusion)]
    }
}
