/// A matrix B (k × n, used as the right operand of C = A·B) copied into 32-column panels,
/// each stored as k contiguous rows of 32 floats (the BLIS/oneDNN packing).
///
/// Why: the recurrent products read a weight matrix that outgrows the caches (Waᵀ is
/// H × 4H, 16 MB at hidden 1024). Read in place, each row of a 32-column tile is 128 bytes
/// at a stride of 4H floats, so every k step of the kernel touches a new 4 KiB page: the
/// hardware prefetcher stops at page boundaries and the TLB misses. Packed, a tile streams
/// one contiguous block, and the kernel and its arithmetic (the order of every sum) are
/// unchanged, so results are bit-identical to the unpacked product.
///
/// Columns come in `blockCount` blocks of `blockWidth` (a cell's gates, H columns each);
/// every block starts a new panel, so a product over whole blocks (the GRU's Γr and Γu
/// alone, say) needs no column offset within a panel. A ragged last panel of a block is
/// zero-padded to 32 columns.
public final class PackedPanels {
    /// Computed, so that it folds to the literal in inlined kernels of other modules (a stored
    /// global would be read through its lazy initializer on every use).
    @inlinable public static var panelWidth: Int { 32 }
    /// Rows of B (the product's k).
    public let depth: Int
    public let blockWidth: Int
    public let blockCount: Int
    /// Panels per block: ⌈blockWidth / 32⌉.
    public let panelsPerBlock: Int
    let storage: UnsafeMutablePointer<Float>

    public init(depth: Int, blockWidth: Int, blockCount: Int) {
        precondition(depth >= 0 && blockWidth > 0 && blockCount > 0, "packed panel sizes must be positive")
        self.depth = depth
        self.blockWidth = blockWidth
        self.blockCount = blockCount
        panelsPerBlock = (blockWidth + Self.panelWidth - 1) / Self.panelWidth
        let count = blockCount * panelsPerBlock * depth * Self.panelWidth
        storage = FloatBuffer.zeroed(count)
    }

    deinit { FloatBuffer.free(storage) }

    /// Columns of B: every block side by side.
    public var columns: Int { blockWidth * blockCount }

    /// Row 0 of panel `panel` of block `block`; row r is `panelWidth · r` floats further.
    func panel(block: Int, _ panel: Int) -> UnsafePointer<Float> {
        UnsafePointer(storage + (block * panelsPerBlock + panel) * depth * Self.panelWidth)
    }

    /// Copies rows `rows` of B (`columns` wide, row-major with `rowStride`, starting at `b`;
    /// all `depth` rows unless told) into the same rows of the panels. The padding columns
    /// stay zero from `init`; they are never read into C. `panels` limits the copy to those
    /// panels of every block (the columns one thread of a split pass owns). Rows outside
    /// `rows` keep what they held, so a matrix can be packed a few rows at a time, while
    /// the rows just written are still in cache.
    public func pack(from b: UnsafePointer<Float>, rowStride: Int, rows: Range<Int>? = nil, panels: Range<Int>? = nil) {
        let rows = rows ?? 0..<depth
        let panels = panels ?? 0..<panelsPerBlock
        precondition(rowStride >= columns, "row stride \(rowStride) is shorter than the \(columns) columns")
        precondition(rows.lowerBound >= 0 && rows.upperBound <= depth, "rows \(rows) do not fit the packed matrix's \(depth)")
        precondition(panels.lowerBound >= 0 && panels.upperBound <= panelsPerBlock,
                     "panels \(panels) outside the \(panelsPerBlock) per block")
        let width = Self.panelWidth
        // Row by row, so B is read in order (a panel at a time would walk every row at a
        // stride of `rowStride` once per panel, where the hardware prefetcher loses it);
        // each panel is still written in order.
        for row in rows {
            let source = b + row * rowStride
            for block in 0..<blockCount {
                for panel in panels {
                    let first = block * blockWidth + panel * width
                    let count = min(width, blockWidth - panel * width)
                    let destination = storage + ((block * panelsPerBlock + panel) * depth + row) * width
                    if count == width {
                        store(load(source + first), destination)
                        store(load(source + first + 16), destination + 16)
                    } else {
                        destination.update(from: source + first, count: count)
                    }
                }
            }
        }
    }

    /// Packs B given as its transpose Bᵀ (`columns` rows of `depth` floats, `rowStride`
    /// apart): the same panels as `pack(from: B)`, without first writing B out in full.
    /// In 32×32 tiles, so the rows of Bᵀ read and the panel rows written stay in L1.
    public func pack(transposedFrom bT: UnsafePointer<Float>, rowStride: Int, panels: Range<Int>? = nil) {
        let panels = panels ?? 0..<panelsPerBlock
        precondition(rowStride >= depth, "row stride \(rowStride) is shorter than the \(depth) rows")
        precondition(panels.lowerBound >= 0 && panels.upperBound <= panelsPerBlock,
                     "panels \(panels) outside the \(panelsPerBlock) per block")
        let width = Self.panelWidth
        for block in 0..<blockCount {
            for panel in panels {
                let first = block * blockWidth + panel * width
                let count = min(width, blockWidth - panel * width)
                let destination = storage + (block * panelsPerBlock + panel) * depth * width
                var rowStart = 0
                while rowStart < depth {
                    let rowEnd = min(rowStart + width, depth)
                    for column in 0..<count {
                        let source = bT + (first + column) * rowStride
                        for row in rowStart..<rowEnd { destination[row * width + column] = source[row] }
                    }
                    rowStart = rowEnd
                }
            }
        }
    }
}
