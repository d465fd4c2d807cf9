import Foundation
import NBRunCore

/// Squares every number produced upstream.
struct SquareStage: Stage {
    static let kind = "demo.square"
    static let summary = "Squares each number of the upstream numbers.txt."
    static let sourceFileName = "Square.swift"
    static let parameters: [ParameterSpec] = []

    func run(_ context: StageContext) throws {
        let numbers = try readIntegers(at: context.inputArtifact("numbers.txt"))
        let squares = numbers.map { $0 * $0 }
        try context.writeArtifact(Data(squares.map(String.init).joined(separator: "\n").utf8), named: "squares.txt")
        context.print("squared \(squares.count) numbers; largest square \(squares.max() ?? 0)")
    }
}
