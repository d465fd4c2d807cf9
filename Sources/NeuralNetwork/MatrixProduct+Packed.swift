extension MatrixProduct {
    /// C = A·B, or C += A·B when `accumulate` is true, with B read from packed panels: the
    /// rows `rows` (the product's k) and the column blocks `blocks` of the packed matrix.
    /// C's columns are those blocks side by side (`blocks.count · blockWidth` of them).
    ///
    /// Each element of C is summed over k in the same order, from the same start, with the
    /// same tiles as `multiply(… b: bRowStride: …)`, so the result is bit-identical to
    /// the unpacked product of the same operands; only the memory traffic differs. Panels
    /// are the outer loop so each 32-column slice of B streams from memory once, contiguously,
    /// while its k-block is reused from L1 by every row tile.
    public static func multiply(
        m: Int, a: UnsafePointer<Float>, aRowStride: Int, aColumnStride: Int,
        packed b: PackedPanels, rows: Range<Int>, blocks: Range<Int>,
        c: UnsafeMutablePointer<Float>, cRowStride: Int, accumulate: Bool
    ) {
        precondition(m >= 0, "matrix dimensions must be non-negative")
        precondition(rows.lowerBound >= 0 && rows.upperBound <= b.depth,
                     "rows \(rows) outside the packed matrix's \(b.depth)")
        precondition(blocks.lowerBound >= 0 && blocks.upperBound <= b.blockCount,
                     "blocks \(blocks) outside the packed matrix's \(b.blockCount)")
        let k = rows.count, blockWidth = b.blockWidth, width = PackedPanels.panelWidth
        if m == 0 || blocks.isEmpty { return }
        if k == 0 {
            if !accumulate {
                for i in 0..<m { (c + i * cRowStride).update(repeating: 0, count: blocks.count * blockWidth) }
            }
            return
        }
        // k-blocking never changes a sum. A few rows (one shard's step) reuse a k-block of
        // the panel from L1 across their two row tiles; many rows (the weight gradients,
        // m = H) would instead reload and store their large C once per block, so they take
        // blocks of `longKBlock`, whose panel stays in L2.
        let kStep = m <= 16 ? (k > 2 * kBlock ? kBlock : k) : min(k, longKBlock)
        let fullRowBlocks = m / 4 * 4
        for block in blocks {
            for panel in 0..<b.panelsPerBlock {
                let columns = min(width, blockWidth - panel * width)
                let bPanel = b.panel(block: block, panel) + rows.lowerBound * width
                let cPanel = c + (block - blocks.lowerBound) * blockWidth + panel * width
                var start = 0
                while start < k {
                    let depth = min(kStep, k - start)
                    let add = start > 0 || accumulate
                    let ap = a + start * aColumnStride, bp = bPanel + start * width
                    if columns == width {
                        var i = 0
                        while i + 8 <= m {
                            tile8x32(k: depth, a: ap + i * aRowStride, aRowStride: aRowStride, aColumnStride: aColumnStride,
                                     b: bp, bRowStride: width, c: cPanel + i * cRowStride, cRowStride: cRowStride,
                                     accumulate: add, bias: nil)
                            i += 8
                        }
                        while i < fullRowBlocks {
                            tile4x32(k: depth, a: ap + i * aRowStride, aRowStride: aRowStride, aColumnStride: aColumnStride,
                                     b: bp, bRowStride: width, c: cPanel + i * cRowStride, cRowStride: cRowStride,
                                     accumulate: add, bias: nil)
                            i += 4
                        }
                        while i < m {
                            tileRows(rows: 1, width: 16, k: depth, a: ap + i * aRowStride, aRowStride: aRowStride,
                                     aColumnStride: aColumnStride, b: bp, bRowStride: width,
                                     c: cPanel + i * cRowStride, cRowStride: cRowStride, accumulate: add, bias: nil)
                            tileRows(rows: 1, width: 16, k: depth, a: ap + i * aRowStride, aRowStride: aRowStride,
                                     aColumnStride: aColumnStride, b: bp + 16, bRowStride: width,
                                     c: cPanel + i * cRowStride + 16, cRowStride: cRowStride, accumulate: add, bias: nil)
                            i += 1
                        }
                    } else {
                        var i = 0
                        while i < m {
                            let tileRowCount = min(4, m - i)
                            var offset = 0
                            while offset < columns {
                                tileRows(rows: tileRowCount, width: min(16, columns - offset), k: depth,
                                         a: ap + i * aRowStride, aRowStride: aRowStride, aColumnStride: aColumnStride,
                                         b: bp + offset, bRowStride: width, c: cPanel + i * cRowStride + offset,
                                         cRowStride: cRowStride, accumulate: add, bias: nil)
                                offset += 16
                            }
                            i += tileRowCount
                        }
                    }
                    start += depth
                }
            }
        }
    }
}
