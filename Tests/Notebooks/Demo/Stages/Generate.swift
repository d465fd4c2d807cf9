import Foundation
import NBRun
import SeededRandom

/// Writes `count` pseudo-random integers in 0..<1000 drawn from `seed`.
struct GenerateStage: Stage {
    static let name = "generate"
    static let summary = "Writes a list of pseudo-random integers from a seed."

    @Parameter(help: "Seed of the generator.") var seed = 0
    @Parameter(help: "How many numbers to write.", range: 1...1_000_000) var count = 10

    func run(_ context: StageContext) throws {
        var generator = SplitMix64(seed: UInt64(bitPattern: Int64(seed)))
        let numbers = (0..<count).map { _ in Int(generator.next() % 1000) }
        try context.write(IntegerList(values: numbers), to: DemoArtifacts.numbers)
        context.print("generated \(count) numbers from seed \(seed)")
    }
}
