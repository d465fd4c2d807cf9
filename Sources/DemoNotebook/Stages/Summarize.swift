import Foundation
import NBRunCore

/// Prints the sum and mean of the upstream squares.
struct SummarizeStage: Stage {
    static let kind = "demo.summarize"
    static let summary = "Prints the sum and mean of squares.txt."
    static let sourceFileName = "Summarize.swift"
    static let parameters = [
        ParameterSpec("label", .string, default: .string("sum of squares"), "Label printed before the sum."),
    ]

    func run(_ context: StageContext) throws {
        let squares = try readIntegers(at: context.inputArtifact("squares.txt"))
        let sum = squares.reduce(0, +)
        let mean = squares.isEmpty ? 0 : Double(sum) / Double(squares.count)
        context.print("\(context.parameters.string("label")): \(sum)")
        context.print("mean: \(String(format: "%.2f", mean))")
        try context.writeArtifact(Data("{\"sum\": \(sum), \"count\": \(squares.count)}\n".utf8), named: "summary.json")
        try context.recordMetric("mean", mean)
        try context.recordMetric("count", Double(squares.count))
    }
}
