import Foundation
import NBRun

/// Prints the sum and mean of the upstream squares.
struct SummarizeStage: Stage {
    static let name = "summarize"
    static let summary = "Prints the sum and mean of squares.txt."

    @Parameter(help: "Label printed before the sum.") var label = "sum of squares"

    func run(_ context: StageContext) throws {
        let squares = try context.read(DemoArtifacts.squares).values
        let sum = squares.reduce(0, +)
        let mean = squares.isEmpty ? 0 : Double(sum) / Double(squares.count)
        context.print("\(label): \(sum)")
        context.print("mean: \(String(format: "%.2f", mean))")
        try context.writeArtifact(Data("{\"sum\": \(sum), \"count\": \(squares.count)}\n".utf8), named: "summary.json")
        try context.recordMetric("mean", mean)
        try context.recordMetric("count", Double(squares.count))
    }
}
