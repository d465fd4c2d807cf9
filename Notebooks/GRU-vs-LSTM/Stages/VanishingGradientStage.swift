import Figures
import Foundation
import MNIST
import MNISTNotebookData
import NBRun
import NeuralNetwork
import NotebookTraining

/// Experiment 3: the vanishing gradient, made visible. For the three networks trained on the
/// same budget (and for the same networks before training), the norm of the loss's gradient
/// with respect to each row's input, ‖∂L/∂x_t‖, averaged over test images: how much the
/// answer can still learn from row t.
struct VanishingGradientStage: Stage {
    static let summary = "Plot ‖∂L/∂x_t‖ per time step for the three cells, before and after training, on a log scale."
    static let norms = FigureOutput("vanishing-gradient.png")

    @Parameter(help: "Test images the norms are averaged over (the first ones).", range: 1...10_000) var images = 512
    @Parameter(help: "Blank rows after each digit, to follow the gradient further back.", range: 0...500)
    var blankRows = 0
    @Parameter(help: "Seed of the untrained networks (the same-budget stage's seed shows them as it started).",
               range: .seeds)
    var seed = 0

    struct Curve: Codable, Equatable {
        var cell: String
        var trained: Bool
        /// Mean ‖∂Lᵢ/∂x_t‖ for t = 1…T.
        var norms: [Double]
    }

    func run(_ context: StageContext) throws {
        let data = try NotebookData(context)
        let test = try data.testSet().firstImages(images)
        let sequences = RowSequences(test, blankRows: blankRows)
        let inputs = sequences.sequences(of: test, range: 0..<test.count)
        let labels = test.labels.map(Int32.init)

        var curves: [Curve] = []
        for cell in ComparedCells.all {
            let trained = try context.read(ComparedCells.weights(cell))
            let untrained = SequenceClassifier(configuration: trained.configuration, seed: UInt64(seed))
            for (model, isTrained) in [(untrained, false), (trained, true)] {
                let norms = inputs.withUnsafeBufferPointer { x in
                    labels.withUnsafeBufferPointer {
                        model.inputGradientNorms(sequences: x, labels: $0, count: test.count, steps: sequences.steps)
                    }
                }
                curves.append(Curve(cell: cell.name, trained: isTrained, norms: norms))
            }
        }
        try context.writeArtifact(curves.jsonData(), named: "gradient-norms.json")

        for curve in curves {
            let first = curve.norms.first!, last = curve.norms.last!
            let ratio = last / first
            let comparison = ratio >= 1
                ? "\(String(format: "%.3g", ratio)) times smaller than"
                : "\(String(format: "%.3g", 1 / ratio)) times larger than"
            context.print("\(curve.cell), \(curve.trained ? "trained" : "untrained"): ‖∂L/∂x_t‖ at the first step is "
                          + "\(String(format: "%.2e", first)), \(comparison) at the last step "
                          + "(\(String(format: "%.2e", last))), \(curve.norms.count - 1) steps later.")
        }

        let palette = Color.palette
        let cellColor = Dictionary(uniqueKeysWithValues: ComparedCells.all.enumerated().map { ($1.name, palette[$0]) })
        let chart = Figure.lineChart(
            series: curves.map { curve in
                let color = cellColor[curve.cell]!
                return ChartSeries(
                    name: "\(curve.cell)\(curve.trained ? ", trained" : ", untrained")",
                    points: curve.norms.enumerated().map { ChartPoint(x: Double($0 + 1), y: $1) },
                    color: curve.trained ? color : color.blended(with: Color(hex: 0xFFFFFF), amount: 0.55),
                    thickness: curve.trained ? 3 : 1.5)
            },
            title: "Gradient reaching each step's input", xLabel: "time step t (image row)",
            yLabel: "mean ‖∂L/∂x_{t}‖ (log scale)", logarithmicY: true, legend: .bottomRight)
        try context.write(Self.norms,
                          caption: "Mean norm of dLoss/dx_t per time step (log scale), before (light) and after (bold) training") {
            try PNGWriter.write(chart, to: $0)
        }
    }
}
