@testable import NeuralNetwork
import Testing

/// The packed-panel product against a naive triple loop and, bit for bit, against the
/// unpacked product: packing must change only where B is read from, never a sum, or one
/// model would train differently depending on which path ran.
@Suite struct PackedProductTests {
    struct Case: CustomTestStringConvertible, Sendable {
        /// B is `depth` × (blockCount · blockWidth); the product reads rows `rows` and blocks `blocks`.
        let m: Int, depth: Int, blockWidth: Int, blockCount: Int
        let rows: Range<Int>, blocks: Range<Int>, transposedA: Bool, accumulate: Bool
        var testDescription: String {
            "m \(m), B \(depth)×\(blockCount)·\(blockWidth), rows \(rows), blocks \(blocks)\(transposedA ? " Aᵀ" : "")\(accumulate ? " +=" : "")"
        }
    }

    static let cases: [Case] = [
        Case(m: 1, depth: 1, blockWidth: 1, blockCount: 1, rows: 0..<1, blocks: 0..<1, transposedA: false, accumulate: false),
        // Ragged panels (width 50 = 32 + 18: a 16-wide and a 2-wide edge tile), every row-tile size.
        Case(m: 13, depth: 29, blockWidth: 50, blockCount: 3, rows: 0..<29, blocks: 0..<3, transposedA: false, accumulate: true),
        Case(m: 16, depth: 64, blockWidth: 64, blockCount: 4, rows: 0..<64, blocks: 0..<4, transposedA: false, accumulate: false),
        // The GRU's reads: a sub-range of blocks, and a sub-range of rows.
        Case(m: 7, depth: 33, blockWidth: 33, blockCount: 3, rows: 0..<33, blocks: 2..<3, transposedA: false, accumulate: true),
        Case(m: 9, depth: 99, blockWidth: 33, blockCount: 1, rows: 66..<99, blocks: 0..<1, transposedA: true, accumulate: false),
        Case(m: 5, depth: 40, blockWidth: 20, blockCount: 2, rows: 0..<40, blocks: 0..<2, transposedA: true, accumulate: true),
        // k > 256 takes the k-blocked path; a width below one vector.
        Case(m: 6, depth: 300, blockWidth: 7, blockCount: 2, rows: 0..<300, blocks: 0..<2, transposedA: false, accumulate: true),
        Case(m: 3, depth: 520, blockWidth: 96, blockCount: 1, rows: 3..<520, blocks: 0..<1, transposedA: false, accumulate: false),
        // Many rows (the weight gradients, m = H): k-blocks of 512 instead of 128.
        Case(m: 37, depth: 1100, blockWidth: 40, blockCount: 2, rows: 16..<1100, blocks: 0..<2, transposedA: true, accumulate: false),
        Case(m: 20, depth: 300, blockWidth: 64, blockCount: 3, rows: 0..<300, blocks: 1..<3, transposedA: true, accumulate: true),
        // k = 0: C is zeroed (or left alone when accumulating).
        Case(m: 4, depth: 10, blockWidth: 17, blockCount: 2, rows: 5..<5, blocks: 0..<2, transposedA: false, accumulate: false),
        Case(m: 4, depth: 10, blockWidth: 17, blockCount: 2, rows: 5..<5, blocks: 1..<2, transposedA: false, accumulate: true),
    ]

    @Test(arguments: cases)
    func packedProductMatchesNaiveAndUnpackedBitForBit(_ shape: Case) {
        var generator = SeededGenerator(seed: UInt64(shape.m * 7919 + shape.depth * 31 + shape.blockWidth))
        let columns = shape.blockWidth * shape.blockCount
        let k = shape.rows.count
        let n = shape.blocks.count * shape.blockWidth
        let firstColumn = shape.blocks.lowerBound * shape.blockWidth
        let ldb = columns + 3, ldc = n + 2
        let lda = (shape.transposedA ? shape.m : k) + 1
        let aRows = shape.transposedA ? k : shape.m
        let a = (0..<max(aRows * lda, 1)).map { _ in generator.nextFloat(symmetricBound: 1) }
        let b = (0..<shape.depth * ldb).map { _ in generator.nextFloat(symmetricBound: 1) }
        let initial = (0..<shape.m * ldc).map { _ in generator.nextFloat(symmetricBound: 1) }
        var packedC = initial, plainC = initial
        let packed = PackedPanels(depth: shape.depth, blockWidth: shape.blockWidth, blockCount: shape.blockCount)
        let aRowStride = shape.transposedA ? 1 : lda, aColumnStride = shape.transposedA ? lda : 1

        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                packed.pack(from: b.baseAddress!, rowStride: ldb)
                packedC.withUnsafeMutableBufferPointer { c in
                    MatrixProduct.multiply(
                        m: shape.m, a: a.baseAddress!, aRowStride: aRowStride, aColumnStride: aColumnStride,
                        packed: packed, rows: shape.rows, blocks: shape.blocks,
                        c: c.baseAddress!, cRowStride: ldc, accumulate: shape.accumulate)
                }
                plainC.withUnsafeMutableBufferPointer { c in
                    MatrixProduct.multiply(
                        m: shape.m, n: n, k: k, a: a.baseAddress!, aRowStride: aRowStride, aColumnStride: aColumnStride,
                        b: b.baseAddress! + shape.rows.lowerBound * ldb + firstColumn, bRowStride: ldb,
                        c: c.baseAddress!, cRowStride: ldc, accumulate: shape.accumulate)
                }
            }
        }

        for i in 0..<shape.m {
            for j in 0..<ldc {
                let index = i * ldc + j
                guard j < n else {
                    #expect(packedC[index] == initial[index], "padding at (\(i), \(j)) must be untouched")
                    continue
                }
                #expect(packedC[index].bitPattern == plainC[index].bitPattern,
                        "C[\(i), \(j)]: packed \(packedC[index]) and unpacked \(plainC[index]) differ")
                var expected = shape.accumulate ? Double(initial[index]) : 0
                var magnitude = abs(expected)
                for p in 0..<k {
                    let aValue = Double(shape.transposedA ? a[p * lda + i] : a[i * lda + p])
                    let bValue = Double(b[(shape.rows.lowerBound + p) * ldb + firstColumn + j])
                    expected += aValue * bValue
                    magnitude += abs(aValue * bValue)
                }
                let tolerance = Double(k + 1) * 1.2e-7 * magnitude + 1e-12
                #expect(abs(Double(packedC[index]) - expected) <= tolerance,
                        "C[\(i), \(j)] = \(packedC[index]), expected \(expected)")
            }
        }
    }

    /// A left operand packed into 8-row tiles (as the weight gradients pack the states they
    /// read) gives the same bits as reading it in place, for every tile-row size (m 1, 5, 9,
    /// 20, 37: full tiles, a 4-row tile and single rows), packed whole or in two shares.
    @Test(arguments: cases.filter(\.transposedA), [false, true])
    func rowTilePackedOperandMatchesInPlaceBitForBit(_ shape: Case, inTwoShares: Bool) {
        var generator = SeededGenerator(seed: UInt64(shape.m * 131 + shape.depth))
        let k = shape.rows.count, n = shape.blocks.count * shape.blockWidth
        let columns = shape.blockWidth * shape.blockCount
        let lda = shape.m + 3, ldb = columns, ldc = n
        let a = (0..<max(k * lda, 1)).map { _ in generator.nextFloat(symmetricBound: 1) }
        let b = (0..<shape.depth * ldb).map { _ in generator.nextFloat(symmetricBound: 1) }
        let initial = (0..<shape.m * ldc).map { _ in generator.nextFloat(symmetricBound: 1) }
        var tiledC = initial, inPlaceC = initial
        let packed = PackedPanels(depth: shape.depth, blockWidth: shape.blockWidth, blockCount: shape.blockCount)
        // Larger than needed, and dirtied by an earlier packing of other values, as a reused scratch is.
        let tiles = PackedRowTiles(maxRows: shape.m + 9, maxDepth: k + 5)
        let garbage = (0..<(shape.m + 9) * (k + 5)).map { _ in generator.nextFloat(symmetricBound: 1e6) }
        garbage.withUnsafeBufferPointer {
            tiles.pack(transposedFrom: $0.baseAddress!, rowStride: shape.m + 9, rows: shape.m + 9, depth: k + 5)
        }
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                packed.pack(from: b.baseAddress!, rowStride: ldb)
                let tileCount = PackedRowTiles.tileCount(rows: shape.m)
                let shares = inTwoShares ? [0..<tileCount / 2, tileCount / 2..<tileCount] : [0..<tileCount]
                for share in shares {
                    tiles.pack(transposedFrom: a.baseAddress!, rowStride: lda, rows: shape.m, depth: k, tiles: share)
                }
                let operand = tiles.operand(depth: k)
                tiledC.withUnsafeMutableBufferPointer { c in
                    MatrixProduct.multiply(
                        m: shape.m, a: operand.a, aRowStride: operand.rowStride, aColumnStride: operand.columnStride,
                        aTileStride: operand.tileStride, packed: packed, rows: shape.rows, blocks: shape.blocks,
                        c: c.baseAddress!, cRowStride: ldc, accumulate: shape.accumulate)
                }
                inPlaceC.withUnsafeMutableBufferPointer { c in
                    MatrixProduct.multiply(
                        m: shape.m, a: a.baseAddress!, aRowStride: 1, aColumnStride: lda,
                        packed: packed, rows: shape.rows, blocks: shape.blocks,
                        c: c.baseAddress!, cRowStride: ldc, accumulate: shape.accumulate)
                }
            }
        }
        #expect(tiledC.map(\.bitPattern) == inPlaceC.map(\.bitPattern))
        #expect(tiledC != initial || k == 0, "the product must have written C")
    }

    /// From 2^20 floats of packed weights (4 MB, the LSTM from hidden 512) the per-step
    /// products run a second copy of the tile kernel that also prefetches the next block,
    /// one or two lines per k step. That copy must sum exactly as the plain one: the same
    /// bits as the unpacked product, for one shard (16 rows: one prefetching tile per block),
    /// ragged rows (13: an 8-, a 4- and a 1-row tile) and two shards at once.
    @Test(arguments: [[16], [13], [16, 16]])
    func prefetchingProductsOfLargeMatricesMatchUnpackedBitForBit(groupRows: [Int]) {
        let depth = 520, blockWidth = 520, blockCount = 4
        #expect(depth * blockWidth * blockCount >= MatrixProduct.prefetchMinimumFloats)
        var generator = SeededGenerator(seed: UInt64(groupRows.reduce(0, +)))
        let columns = blockWidth * blockCount, block = 2
        let b = (0..<depth * columns).map { _ in generator.nextFloat(symmetricBound: 1) }
        let packed = PackedPanels(depth: depth, blockWidth: blockWidth, blockCount: blockCount)
        b.withUnsafeBufferPointer { packed.pack(from: $0.baseAddress!, rowStride: columns) }
        // Every group's A and C in one allocation each, so the grouped call's pointers stay valid.
        let totalRows = groupRows.reduce(0, +)
        let a = (0..<totalRows * depth).map { _ in generator.nextFloat(symmetricBound: 1) }
        let initial = (0..<totalRows * blockWidth).map { _ in generator.nextFloat(symmetricBound: 1) }
        var plainC = initial
        let packedC = UnsafeMutablePointer<Float>.allocate(capacity: initial.count)
        defer { packedC.deallocate() }
        packedC.initialize(from: initial, count: initial.count)
        let firstRows = groupRows.indices.map { groupRows[..<$0].reduce(0, +) }
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                plainC.withUnsafeMutableBufferPointer { c in
                    for (group, rows) in groupRows.enumerated() {
                        MatrixProduct.multiply(
                            m: rows, n: blockWidth, k: depth, a: a.baseAddress! + firstRows[group] * depth,
                            aRowStride: depth, aColumnStride: 1, b: b.baseAddress! + block * blockWidth, bRowStride: columns,
                            c: c.baseAddress! + firstRows[group] * blockWidth, cRowStride: blockWidth, accumulate: true)
                    }
                }
            }
            // All groups in one grouped call, as a split pass makes it.
            let groups = groupRows.indices.map { group in
                RowGroup(a: a.baseAddress! + firstRows[group] * depth, c: packedC + firstRows[group] * blockWidth,
                         rows: groupRows[group])
            }
            groups.withUnsafeBufferPointer { groups in
                MatrixProduct.multiply(
                    groups: groups, aRowStride: depth, aColumnStride: 1, packed: packed, rows: 0..<depth,
                    blocks: block..<(block + 1), panels: 0..<packed.panelsPerBlock,
                    cRowStride: blockWidth, accumulate: true)
            }
        }
        #expect(UnsafeBufferPointer(start: packedC, count: initial.count).map(\.bitPattern) == plainC.map(\.bitPattern))
        #expect(plainC != initial)
    }

    /// A smaller batch packs only its rows; the rows it reads are exactly the new ones,
    /// whatever a larger earlier batch left below them.
    @Test func packingARowPrefixLeavesLaterRowsAlone() {
        let packed = PackedPanels(depth: 4, blockWidth: 3, blockCount: 1)
        let first = (0..<12).map { Float($0 + 1) }
        first.withUnsafeBufferPointer { packed.pack(from: $0.baseAddress!, rowStride: 3) }
        let second: [Float] = [-1, -2, -3, -4, -5, -6]
        second.withUnsafeBufferPointer { packed.pack(from: $0.baseAddress!, rowStride: 3, rows: 0..<2) }
        let panel = packed.panel(block: 0, 0), width = PackedPanels.panelWidth
        for row in 0..<4 {
            for column in 0..<3 {
                let expected = row < 2 ? second[row * 3 + column] : first[row * 3 + column]
                #expect(panel[row * width + column] == expected, "row \(row), column \(column)")
            }
        }
    }

    /// The backward pass packs one step's rows at a time, last step first: each range lands
    /// in its own rows and leaves the others as they were, in every panel a thread owns.
    @Test func packingRowRangesOneAtATimeBuildsTheWholeMatrix() {
        let depth = 6, blockWidth = 40, blockCount = 2, columns = blockWidth * blockCount
        let b = (0..<depth * columns).map { Float($0) + 0.5 }
        let whole = PackedPanels(depth: depth, blockWidth: blockWidth, blockCount: blockCount)
        let stepwise = PackedPanels(depth: depth, blockWidth: blockWidth, blockCount: blockCount)
        b.withUnsafeBufferPointer { b in
            whole.pack(from: b.baseAddress!, rowStride: columns)
            for first in stride(from: depth - 2, through: 0, by: -2) {
                stepwise.pack(from: b.baseAddress!, rowStride: columns, rows: first..<(first + 2), panels: 1..<2)
                stepwise.pack(from: b.baseAddress!, rowStride: columns, rows: first..<(first + 2), panels: 0..<1)
            }
        }
        let count = blockCount * whole.panelsPerBlock * depth * PackedPanels.panelWidth
        #expect(Array(UnsafeBufferPointer(start: stepwise.storage, count: count))
                == Array(UnsafeBufferPointer(start: whole.storage, count: count)))
    }

    /// Repacking after B changes replaces every value; the zero padding of ragged panels
    /// stays zero, so a stale or garbage pad can never leak into C.
    @Test func repackingReplacesValuesAndKeepsPaddingZero() {
        let packed = PackedPanels(depth: 3, blockWidth: 5, blockCount: 2)
        var b = (0..<30).map(Float.init)
        b.withUnsafeBufferPointer { packed.pack(from: $0.baseAddress!, rowStride: 10) }
        b = b.map { -$0 - 1 }
        b.withUnsafeBufferPointer { packed.pack(from: $0.baseAddress!, rowStride: 10) }
        for block in 0..<2 {
            let panel = packed.panel(block: block, 0)
            for row in 0..<3 {
                for column in 0..<PackedPanels.panelWidth {
                    let value = panel[row * PackedPanels.panelWidth + column]
                    if column < 5 {
                        #expect(value == b[row * 10 + block * 5 + column])
                    } else {
                        #expect(value == 0, "padding of block \(block), row \(row), column \(column)")
                    }
                }
            }
        }
    }
}
