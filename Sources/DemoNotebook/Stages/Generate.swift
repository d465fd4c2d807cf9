import Foundation
import NBRunCore

/// Writes `count` pseudo-random integers in 0..<1000 drawn from `seed`.
struct GenerateStage: Stage {
    static let name = "generate"
    static let summary = "Writes a list of pseudo-random integers from a seed."

    @Parameter(help: "Seed of the generator.") var seed = 0
    @Parameter(help: "How many numbers to write.", range: 1...1_000_000) var count = 10

    func run(_ context: StageContext) throws {
        var state = UInt64(bitPattern: Int64(seed))
        var numbers: [Int] = []
        for _ in 0..<count {
            // SplitMix64: small, well mixed, and the same on every platform.
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            mixed ^= mixed >> 31
            numbers.append(Int(mixed % 1000))
        }
        try context.write(IntegerList(values: numbers), to: DemoArtifacts.numbers)
        context.print("generated \(count) numbers from seed \(seed)")
    }
}
