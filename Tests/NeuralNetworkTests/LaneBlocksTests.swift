@testable import NeuralNetwork
import Testing

/// `forEachLaneBlock` is the one loop every cell equation runs over its hidden units: it
/// must visit each unit of the range exactly once, in full blocks of 16 first, then one
/// shorter block, and nothing for an empty range, wherever the range starts (a split pass
/// hands each thread a range that begins mid-matrix).
@Suite struct LaneBlocksTests {
    func blocks(_ units: Range<Int>) -> [(unit: Int, width: Int)] {
        var visited: [(unit: Int, width: Int)] = []
        forEachLaneBlock(in: units) { visited.append(($0, $1)) }
        return visited
    }

    @Test func fullBlocksThenOnePartialBlock() {
        let visited = blocks(3..<40)
        #expect(visited.map(\.unit) == [3, 19, 35])
        #expect(visited.map(\.width) == [16, 16, 5])
    }

    @Test(arguments: [0..<0, 5..<5, 0..<1, 0..<15, 0..<16, 0..<17, 32..<64, 7..<130, 96..<128])
    func everyUnitOnceAndOnlyTheLastBlockShort(units: Range<Int>) {
        let visited = blocks(units)
        #expect(visited.flatMap { $0.unit..<($0.unit + $0.width) } == Array(units))
        #expect(visited.dropLast().allSatisfy { $0.width == 16 })
        #expect(visited.allSatisfy { $0.width > 0 && $0.width <= 16 })
        #expect(visited.count == (units.count + 15) / 16)
    }
}
