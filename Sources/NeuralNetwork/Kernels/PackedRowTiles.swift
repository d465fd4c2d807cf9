/// A left operand A (m × k of C = A·B) copied into tiles of 8 rows, each tile stored as k
/// contiguous groups of its 8 rows' values: the BLIS packing of A, matching the 8-row
/// register tile of `MatrixProduct`.
///
/// Why: the weight gradients multiply Aᵀ where A holds one state per row ([T·n, H], the
/// hidden states a_t). Read in place, the kernel's 8 broadcasts of one k step are 8
/// neighbouring floats, and the next k step is H floats further on: from hidden 1024 every
/// k step of every tile lands on a new 4 KiB page, where the hardware prefetcher stops and
/// the TLB misses, and each tile re-reads all of them for every 32-column panel of B.
/// Packed, a tile streams one contiguous block. The kernel and the order of every sum are
/// unchanged (only the addresses of the same values move), so the product is bit-identical
/// to the one reading A in place.
///
/// The unused rows of a last, partial tile are never read.
public final class PackedRowTiles {
    public static let tileHeight = 8
    /// The most rows (the product's m) and columns (its k) a packing may have.
    public let maxRows: Int
    public let maxDepth: Int
    let storage: UnsafeMutablePointer<Float>

    public init(maxRows: Int, maxDepth: Int) {
        precondition(maxRows >= 0 && maxDepth >= 0, "packed tile sizes must be non-negative")
        self.maxRows = maxRows
        self.maxDepth = maxDepth
        storage = FloatBuffer.zeroed(Self.tileCount(rows: maxRows) * Self.tileHeight * maxDepth)
    }

    deinit { FloatBuffer.free(storage) }

    /// Tiles for `rows` rows: ⌈rows / 8⌉.
    public static func tileCount(rows: Int) -> Int { (rows + tileHeight - 1) / tileHeight }

    /// The packed A of a packing of depth `depth` as the products take it: row i, column p is
    /// at `(i / 8) · tileStride + (i % 8) + 8 · p`.
    public func operand(depth: Int) -> (a: UnsafePointer<Float>, rowStride: Int, columnStride: Int, tileStride: Int) {
        (UnsafePointer(storage), 1, Self.tileHeight, Self.tileHeight * depth)
    }

    /// Packs A = Sᵀ from its transpose S (`depth` rows of at least `rows` floats, `rowStride`
    /// apart): A's element (i, p) is `source[p · rowStride + i]`. `tiles` limits the copy to
    /// those 8-row tiles (threads pack disjoint shares of one operand); all by default.
    public func pack(
        transposedFrom source: UnsafePointer<Float>, rowStride: Int, rows: Int, depth: Int, tiles: Range<Int>? = nil
    ) {
        precondition(rows >= 0 && rows <= maxRows, "\(rows) rows do not fit the packing's \(maxRows)")
        precondition(depth >= 0 && depth <= maxDepth, "depth \(depth) does not fit the packing's \(maxDepth)")
        precondition(rowStride >= rows, "row stride \(rowStride) is shorter than the \(rows) rows")
        let allTiles = Self.tileCount(rows: rows)
        let tiles = tiles ?? 0..<allTiles
        precondition(tiles.lowerBound >= 0 && tiles.upperBound <= allTiles, "tiles \(tiles) outside 0..<\(allTiles)")
        let height = Self.tileHeight
        // Column by column of A (row by row of the source), so the source is read in order;
        // each tile is still written in order.
        for column in 0..<depth {
            let row = source + column * rowStride
            for tile in tiles {
                let first = tile * height
                let destination = storage + (tile * depth + column) * height
                if first + height <= rows {
                    storeHalf(loadHalf(row + first), destination)
                } else {
                    destination.update(from: row + first, count: rows - first)
                }
            }
        }
    }
}
