@testable import NeuralNetwork
import Testing

@Suite struct SeededGeneratorTests {
    @Test func seedingIsSplitMix64() {
        // The state is SplitMix64's first four outputs from 0 (the first three are published
        // with the algorithm): seeded weights, and so every seeded result, depend on this.
        let generator = SeededGenerator(seed: 0)
        #expect(generator.state == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F, 0xF88B_B8A8_724C_81EC])
    }

    @Test func sameSeedSameStreamDifferentSeedDifferentStream() {
        var first = SeededGenerator(seed: 42), second = SeededGenerator(seed: 42), other = SeededGenerator(seed: 43)
        let a = (0..<100).map { _ in first.next() }
        #expect(a == (0..<100).map { _ in second.next() })
        #expect(a != (0..<100).map { _ in other.next() })
    }

    @Test func savedStateResumesTheExactStream() throws {
        var generator = SeededGenerator(seed: 9)
        for _ in 0..<37 { _ = generator.next() }
        var restored = try SeededGenerator(state: generator.state)
        #expect((0..<50).map { _ in generator.next() } == (0..<50).map { _ in restored.next() })
    }

    @Test func invalidStatesAreRejected() {
        #expect(throws: SeededGeneratorError.wrongStateLength(3)) { try SeededGenerator(state: [1, 2, 3]) }
        #expect(throws: SeededGeneratorError.allZeroState) { try SeededGenerator(state: [0, 0, 0, 0]) }
        #expect(SeededGeneratorError.allZeroState.description.contains("zero"))
    }

    @Test func unitFloatsCoverTheHalfOpenInterval() {
        var generator = SeededGenerator(seed: 5)
        let values = (0..<20_000).map { _ in generator.nextUnitFloat() }
        #expect(values.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = values.reduce(0, +) / Float(values.count)
        #expect(abs(mean - 0.5) < 0.01)  // σ of the mean is 0.002
        let bounded = (0..<1000).map { _ in generator.nextFloat(symmetricBound: 0.25) }
        #expect(bounded.allSatisfy { $0 >= -0.25 && $0 < 0.25 })
        #expect(bounded.min()! < -0.2 && bounded.max()! > 0.2)
    }
}
