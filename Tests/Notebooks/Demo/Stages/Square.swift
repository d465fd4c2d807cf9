import Foundation
import NBRun

/// Squares every number produced upstream.
struct SquareStage: Stage {
    static let name = "square"
    static let summary = "Squares each number of the upstream numbers.txt."

    func run(_ context: StageContext) throws {
        let numbers = try context.read(DemoArtifacts.numbers).values
        let squares = numbers.map { $0 * $0 }
        try context.write(IntegerList(values: squares), to: DemoArtifacts.squares)
        context.print("squared \(squares.count) numbers; largest square \(squares.max() ?? 0)")
    }
}
