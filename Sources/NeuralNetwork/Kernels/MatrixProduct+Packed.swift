import CPrefetch

extension MatrixProduct {
    /// C = A·B, or C += A·B when `accumulate` is true, with B read from packed panels: the
    /// rows `rows` (the product's k) and the column blocks `blocks` of the packed matrix,
    /// in each block only the panels `panels` (all by default). C's columns are those blocks
    /// side by side (`blocks.count · blockWidth` of them), and only the chosen panels' are written.
    ///
    /// Each element of C is summed over k in the same order, from the same start, with the
    /// same tiles as `multiply(… b: bRowStride: …)`, so the result is bit-identical to
    /// the unpacked product of the same operands; only the memory traffic differs. Panels
    /// are the outer loop so each 32-column slice of B streams from memory once, contiguously,
    /// while its k-block is reused from L1 by every row tile.
    public static func multiply(
        m: Int, a: UnsafePointer<Float>, aRowStride: Int, aColumnStride: Int, aTileStride: Int? = nil,
        packed b: PackedPanels, rows: Range<Int>, blocks: Range<Int>, panels: Range<Int>? = nil,
        c: UnsafeMutablePointer<Float>, cRowStride: Int, accumulate: Bool
    ) {
        precondition(m >= 0, "matrix dimensions must be non-negative")
        var group = RowGroup(a: a, c: c, rows: m)
        withUnsafePointer(to: &group) { group in
            multiply(groups: UnsafeBufferPointer(start: group, count: 1), aRowStride: aRowStride,
                     aColumnStride: aColumnStride, aTileStride: aTileStride, packed: b, rows: rows, blocks: blocks,
                     panels: panels ?? 0..<b.panelsPerBlock, cRowStride: cRowStride, accumulate: accumulate)
        }
    }

    /// The packed product for several row groups at once (each its own A and C with the
    /// same strides), restricted to the panels `panels` of every block in `blocks`.
    ///
    /// Why groups: a split pass gives each thread some columns of every shard's product.
    /// Taking the shards together, each k-block of a panel is loaded once and reused by
    /// every row tile of every shard, so a thread streams its share of the weights once per
    /// step for all sequences instead of once per shard. Why a panel range: the columns a
    /// thread owns. Every element of C is still summed exactly as by the one-group product.
    ///
    /// `aTileStride` is the distance from row i to row i + 8 of A, which is `8 · aRowStride`
    /// unless A is packed in 8-row tiles (`PackedRowTiles.operand`).
    public static func multiply(
        groups: UnsafeBufferPointer<RowGroup>, aRowStride: Int, aColumnStride: Int, aTileStride: Int? = nil,
        packed b: PackedPanels, rows: Range<Int>, blocks: Range<Int>, panels: Range<Int>,
        cRowStride: Int, accumulate: Bool
    ) {
        let aTileStride = aTileStride ?? 8 * aRowStride
        precondition(rows.lowerBound >= 0 && rows.upperBound <= b.depth,
                     "rows \(rows) outside the packed matrix's \(b.depth)")
        precondition(blocks.lowerBound >= 0 && blocks.upperBound <= b.blockCount,
                     "blocks \(blocks) outside the packed matrix's \(b.blockCount)")
        precondition(panels.lowerBound >= 0 && panels.upperBound <= b.panelsPerBlock,
                     "panels \(panels) outside the packed matrix's \(b.panelsPerBlock) per block")
        let k = rows.count, blockWidth = b.blockWidth, width = PackedPanels.panelWidth
        var largestGroup = 0
        for group in groups {
            precondition(group.rows >= 0, "matrix dimensions must be non-negative")
            largestGroup = max(largestGroup, group.rows)
        }
        if largestGroup == 0 || blocks.isEmpty || panels.isEmpty { return }
        if k == 0 {
            if !accumulate {
                for group in groups {
                    for block in blocks {
                        for panel in panels {
                            let first = (block - blocks.lowerBound) * blockWidth + panel * width
                            let columns = min(width, blockWidth - panel * width)
                            for i in 0..<group.rows { (group.c + i * cRowStride + first).update(repeating: 0, count: columns) }
                        }
                    }
                }
            }
            return
        }
        // k-blocking never changes a sum. A few rows per group (a shard's step) reuse a
        // k-block of the panel from L1 across their row tiles; many rows (the weight
        // gradients, m = H) would instead reload and store their large C once per block, so
        // they take blocks of `longKBlock`, whose panel stays in L2.
        let kStep = largestGroup <= 16 ? (k > 2 * kBlock ? kBlock : k) : min(k, longKBlock)
        let fetchesAhead = largestGroup <= 16 && b.depth * b.columns >= prefetchMinimumFloats
        for block in blocks {
            for panel in panels {
                let columns = min(width, blockWidth - panel * width)
                let bPanel = b.panel(block: block, panel) + rows.lowerBound * width
                let cOffset = (block - blocks.lowerBound) * blockWidth + panel * width
                var start = 0
                while start < k {
                    let depth = min(kStep, k - start)
                    let add = start > 0 || accumulate
                    // The block after this one (the next k-block, or the next panel, which
                    // follows in memory) is fetched by the tiles that reuse this one from L1.
                    // Only for a few rows per group (the per-step products) and a matrix
                    // that streams from memory: tall products (the weight gradients) reuse a
                    // panel for so many tiles that its stream costs little, and a matrix that
                    // stays in L2 gains nothing but the extra instructions.
                    var ahead = Prefetch(next: bPanel + (start + depth) * width,
                                         lines: fetchesAhead ? 2 * depth : 0)
                    for group in groups where group.rows > 0 {
                        panelRows(m: group.rows, depth: depth, a: group.a + start * aColumnStride,
                                  aRowStride: aRowStride, aColumnStride: aColumnStride, aTileStride: aTileStride,
                                  b: bPanel + start * width, columns: columns, c: group.c + cOffset,
                                  cRowStride: cRowStride, accumulate: add, ahead: &ahead)
                    }
                    start += depth
                }
            }
        }
    }

    /// All m rows of one k-block of one panel, in register tiles.
    @inline(__always)
    static func panelRows(
        m: Int, depth: Int, a: UnsafePointer<Float>, aRowStride: Int, aColumnStride: Int, aTileStride: Int,
        b: UnsafePointer<Float>, columns: Int, c: UnsafeMutablePointer<Float>, cRowStride: Int, accumulate: Bool,
        ahead: inout Prefetch
    ) {
        let width = PackedPanels.panelWidth
        // Row i of A: tile i / 8, row i % 8 within it.
        @inline(__always) func rowOfA(_ i: Int) -> UnsafePointer<Float> { a + (i / 8) * aTileStride + (i % 8) * aRowStride }
        if columns == width {
            var i = 0
            while i + 8 <= m {
                // The first tile streams this block from memory; the later ones find it in
                // L1 and have bandwidth to spare for the next block.
                // Up to two lines per k step: with 16 rows (one shard) there is only one such
                // tile per block, and the next block is two lines per step of this one.
                let lines = ahead.started ? min(2 * depth, ahead.lines) : 0
                if lines > 0 {
                    tile8x32(k: depth, a: rowOfA(i), aRowStride: aRowStride, aColumnStride: aColumnStride,
                             b: b, bRowStride: width, c: c + i * cRowStride, cRowStride: cRowStride,
                             accumulate: accumulate, bias: nil, prefetch: ahead.next, prefetchLines: lines)
                } else {
                    // Without the prefetch argument, so this copy's k-loop has no test in it.
                    tile8x32(k: depth, a: rowOfA(i), aRowStride: aRowStride, aColumnStride: aColumnStride,
                             b: b, bRowStride: width, c: c + i * cRowStride, cRowStride: cRowStride,
                             accumulate: accumulate, bias: nil)
                }
                ahead.advance(by: lines)
                i += 8
            }
            while i + 4 <= m {
                tile4x32(k: depth, a: rowOfA(i), aRowStride: aRowStride, aColumnStride: aColumnStride,
                         b: b, bRowStride: width, c: c + i * cRowStride, cRowStride: cRowStride,
                         accumulate: accumulate, bias: nil)
                i += 4
            }
            while i < m {
                tileRows(rows: 1, width: 16, k: depth, a: rowOfA(i), aRowStride: aRowStride,
                         aColumnStride: aColumnStride, b: b, bRowStride: width,
                         c: c + i * cRowStride, cRowStride: cRowStride, accumulate: accumulate, bias: nil)
                tileRows(rows: 1, width: 16, k: depth, a: rowOfA(i), aRowStride: aRowStride,
                         aColumnStride: aColumnStride, b: b + 16, bRowStride: width,
                         c: c + i * cRowStride + 16, cRowStride: cRowStride, accumulate: accumulate, bias: nil)
                i += 1
            }
        } else {
            var i = 0
            while i < m {
                let tileRowCount = min(4, m - i)
                var offset = 0
                while offset < columns {
                    tileRows(rows: tileRowCount, width: min(16, columns - offset), k: depth,
                             a: rowOfA(i), aRowStride: aRowStride, aColumnStride: aColumnStride,
                             b: b + offset, bRowStride: width, c: c + i * cRowStride + offset,
                             cRowStride: cRowStride, accumulate: accumulate, bias: nil)
                    offset += 16
                }
                i += tileRowCount
            }
        }
    }
}

extension MatrixProduct {
    /// Packed matrices from this size on (1M floats, 4 MB: the LSTM's Waᵀ from hidden 512)
    /// outgrow L2 and stream from memory at every step, so fetching ahead pays.
    static let prefetchMinimumFloats = 1 << 20
}

/// Where the next block of a packed panel starts and how many of its cache lines are
/// still to be fetched; the first tile of a block only marks it started.
struct Prefetch {
    var next: UnsafePointer<Float>
    var lines: Int
    var started = false

    init(next: UnsafePointer<Float>, lines: Int) {
        self.next = next
        self.lines = lines
    }

    @inline(__always)
    mutating func advance(by fetched: Int) {
        next += fetched * 16
        lines -= fetched
        started = true
    }
}

/// One operand pair of a grouped packed product: `rows` rows of A and of C.
public struct RowGroup {
    public var a: UnsafePointer<Float>
    public var c: UnsafeMutablePointer<Float>
    public var rows: Int

    public init(a: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, rows: Int) {
        self.a = a
        self.c = c
        self.rows = rows
    }
}
