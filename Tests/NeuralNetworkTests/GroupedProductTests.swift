@testable import NeuralNetwork
import Testing

/// The grouped product over a range of panels (what one thread of a column-split pass
/// computes) against the one-group product over every panel: the same bits in the columns
/// the range covers, nothing written outside them.
@Suite struct GroupedProductTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let groupRows: [Int], depth: Int, blockWidth: Int, blockCount: Int
        let rows: Range<Int>, blocks: Range<Int>, panels: Range<Int>, transposedA: Bool, accumulate: Bool
        var testDescription: String {
            "groups \(groupRows), B \(depth)×\(blockCount)·\(blockWidth), rows \(rows), blocks \(blocks), panels \(panels)"
        }
    }

    static let cases: [Case] = [
        // Two shards of 16 and a short one, half the panels (a ragged last panel of 6 columns).
        Case(groupRows: [16, 16, 8], depth: 70, blockWidth: 70, blockCount: 4, rows: 0..<70, blocks: 0..<4,
             panels: 1..<3, transposedA: false, accumulate: true),
        // k > 256: k-blocks of 128; an empty group; the first panel only.
        Case(groupRows: [16, 0, 3], depth: 300, blockWidth: 64, blockCount: 1, rows: 0..<300, blocks: 0..<1,
             panels: 0..<1, transposedA: false, accumulate: false),
        // The weight gradients' shape: one tall group, Aᵀ, rows from the second step on.
        Case(groupRows: [40], depth: 90, blockWidth: 50, blockCount: 3, rows: 10..<90, blocks: 0..<3,
             panels: 1..<2, transposedA: true, accumulate: false),
        // k = 0 zeroes only the owned columns.
        Case(groupRows: [5, 4], depth: 8, blockWidth: 40, blockCount: 2, rows: 3..<3, blocks: 0..<2,
             panels: 0..<1, transposedA: false, accumulate: false),
        // No panels: nothing is written.
        Case(groupRows: [4], depth: 8, blockWidth: 40, blockCount: 2, rows: 0..<8, blocks: 0..<2,
             panels: 1..<1, transposedA: false, accumulate: false),
    ]

    @Test(arguments: cases)
    func groupedPanelRangeMatchesTheFullProductBitForBit(_ shape: Case) {
        var generator = SeededGenerator(seed: UInt64(shape.depth * 131 + shape.blockWidth))
        let k = shape.rows.count, n = shape.blocks.count * shape.blockWidth
        let ldb = shape.blockWidth * shape.blockCount + 1, ldc = n + 3
        let b = (0..<shape.depth * ldb).map { _ in generator.nextFloat(symmetricBound: 1) }
        let packed = PackedPanels(depth: shape.depth, blockWidth: shape.blockWidth, blockCount: shape.blockCount)
        b.withUnsafeBufferPointer { packed.pack(from: $0.baseAddress!, rowStride: ldb) }
        let width = PackedPanels.panelWidth

        // One A stride for every group, as the shards of a split pass share one.
        let lda = (shape.transposedA ? shape.groupRows.max()! : k) + 2
        let aRowStride = shape.transposedA ? 1 : lda, aColumnStride = shape.transposedA ? lda : 1
        let operands: [(a: [Float], initial: [Float], m: Int)] = shape.groupRows.map { m in
            let aRows = shape.transposedA ? k : m
            return ((0..<max(aRows * lda, 1)).map { _ in generator.nextFloat(symmetricBound: 1) },
                    (0..<max(m * ldc, 1)).map { _ in generator.nextFloat(symmetricBound: 1) }, m)
        }

        var grouped = operands.map(\.initial), full = operands.map(\.initial)
        for index in operands.indices {
            operands[index].a.withUnsafeBufferPointer { a in
                full[index].withUnsafeMutableBufferPointer { c in
                    MatrixProduct.multiply(
                        m: operands[index].m, a: a.baseAddress!, aRowStride: aRowStride, aColumnStride: aColumnStride,
                        packed: packed, rows: shape.rows, blocks: shape.blocks,
                        c: c.baseAddress!, cRowStride: ldc, accumulate: shape.accumulate)
                }
            }
        }
        let aBuffers = operands.map { operand in
            let pointer = UnsafeMutablePointer<Float>.allocate(capacity: operand.a.count)
            pointer.initialize(from: operand.a, count: operand.a.count)
            return pointer
        }
        let cBuffers = grouped.map { values in
            let pointer = UnsafeMutablePointer<Float>.allocate(capacity: values.count)
            pointer.initialize(from: values, count: values.count)
            return pointer
        }
        defer { (aBuffers + cBuffers).forEach { $0.deallocate() } }
        let groups = operands.indices.map { RowGroup(a: aBuffers[$0], c: cBuffers[$0], rows: operands[$0].m) }
        groups.withUnsafeBufferPointer { groups in
            MatrixProduct.multiply(
                groups: groups, aRowStride: aRowStride, aColumnStride: aColumnStride, packed: packed,
                rows: shape.rows, blocks: shape.blocks, panels: shape.panels, cRowStride: ldc,
                accumulate: shape.accumulate)
        }
        for index in grouped.indices {
            grouped[index] = Array(UnsafeBufferPointer(start: cBuffers[index], count: grouped[index].count))
        }

        for (group, operand) in operands.enumerated() {
            for i in 0..<operand.m {
                for j in 0..<ldc {
                    let element = i * ldc + j
                    let panel = (j % shape.blockWidth) / width
                    let owned = j < n && shape.panels.contains(panel)
                    let expected = owned ? full[group][element] : operand.initial[element]
                    #expect(grouped[group][element].bitPattern == expected.bitPattern,
                            "group \(group), C[\(i), \(j)] (\(owned ? "owned" : "not owned"))")
                }
            }
        }
    }

    @Test func packingSomePanelsLeavesTheOthersAlone() {
        let packed = PackedPanels(depth: 2, blockWidth: 40, blockCount: 2)
        let first = (0..<160).map(Float.init)
        first.withUnsafeBufferPointer { packed.pack(from: $0.baseAddress!, rowStride: 80) }
        let second = first.map { -$0 - 1 }
        second.withUnsafeBufferPointer { packed.pack(from: $0.baseAddress!, rowStride: 80, panels: 1..<2) }
        let width = PackedPanels.panelWidth
        for block in 0..<2 {
            for panel in 0..<2 {
                let source = panel == 1 ? second : first
                let stored = packed.panel(block: block, panel)
                for row in 0..<2 {
                    for column in 0..<min(width, 40 - panel * width) {
                        let value = source[row * 80 + block * 40 + panel * width + column]
                        #expect(stored[row * width + column] == value, "block \(block), panel \(panel), row \(row), column \(column)")
                    }
                }
            }
        }
    }
}
