import CPrefetch

/// Dense single-precision matrix products on `SIMD16<Float>` register tiles.
///
/// Every product the LSTM needs has the shape C (m×n) = A (m×k) · B (k×n) with B and C
/// row-major. A is described by two strides so the same kernel serves both A and Aᵀ:
/// element (i, p) of A is `a[i * aRowStride + p * aColumnStride]`. A row-major A has
/// strides (lda, 1); the transpose of a row-major k×m matrix has strides (1, lda),
/// which is what weight gradients (Xᵀ·dG) need.
///
/// Each column tile is 32 wide (`PackedPanels.panelWidth`, two vectors). Its rows go
/// eight at a time through `tile8x32`, which keeps 8 × 32 of C in sixteen vector
/// registers and streams one row of B per step of the k-loop, so each pair of B loads
/// feeds sixteen FMAs; four rows left over go through `tile4x32`, and single rows and
/// ragged columns (n not a multiple of 16) through partial tiles, so any shape is correct.
/// The products whose B is the same for every step (the recurrent weights) use packed
/// panels instead (`MatrixProduct+Packed.swift`).
public enum MatrixProduct {
    /// Depth of a k-block in the packed product: 128 rows × 32 columns of B is 16 KiB, half
    /// the L1 data cache, so the second row tile of a shard reads the panel from L1.
    @usableFromInline static let kBlock = 128
    /// Depth of a k-block here. An 8×32 tile needs 128 bytes of B per 16 FMAs, which L2
    /// delivers, so B need not stay in L1; what costs is C, reloaded and stored once per
    /// k-block: at hidden 1024 the weight gradient's C is 16 MB. Blocks of 512 (a 64 KiB
    /// panel of B, in L2) leave the weight gradients (k = 27 steps × 16) unblocked.
    @usableFromInline static let longKBlock = 512

    /// Computes C = A·B, or C += A·B when `accumulate` is true, or C = 1·rowBiasᵀ + A·B
    /// when a `rowBias` (n values added to every row) is given. Starting the register tile
    /// from the bias saves a separate pass over C, which matters when k is small (the
    /// input projection has k = 28).
    @inlinable
    public static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, aRowStride: Int, aColumnStride: Int,
        b: UnsafePointer<Float>, bRowStride: Int,
        c: UnsafeMutablePointer<Float>, cRowStride: Int,
        accumulate: Bool, rowBias: UnsafePointer<Float>? = nil
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "matrix dimensions must be non-negative")
        precondition(!(accumulate && rowBias != nil), "either accumulate into C or start from a bias, not both")
        if m == 0 || n == 0 { return }
        // Very long k is cut into blocks so the 32-column panel of B that a column tile
        // streams stays in L2 across row blocks (see `longKBlock`).
        if k > longKBlock {
            var start = 0
            while start < k {
                let depth = min(longKBlock, k - start)
                multiply(
                    m: m, n: n, k: depth, a: a + start * aColumnStride, aRowStride: aRowStride,
                    aColumnStride: aColumnStride, b: b + start * bRowStride, bRowStride: bRowStride,
                    c: c, cRowStride: cRowStride, accumulate: start > 0 || accumulate,
                    rowBias: start == 0 ? rowBias : nil)
                start += depth
            }
            return
        }
        if k == 0 {
            if let rowBias {
                for i in 0..<m { (c + i * cRowStride).update(from: rowBias, count: n) }
            } else if !accumulate {
                for i in 0..<m { (c + i * cRowStride).update(repeating: 0, count: n) }
            }
            return
        }
        let fullRowBlocks = m / 4 * 4
        var j = 0
        while j + PackedPanels.panelWidth <= n {
            var i = 0
            while i + 8 <= m {
                tile8x32(
                    k: k, a: a + i * aRowStride, aRowStride: aRowStride,
                    aColumnStride: aColumnStride, b: b + j, bRowStride: bRowStride,
                    c: c + i * cRowStride + j, cRowStride: cRowStride, accumulate: accumulate,
                    bias: rowBias.map { $0 + j })
                i += 8
            }
            while i < fullRowBlocks {
                tile4x32(
                    k: k, a: a + i * aRowStride, aRowStride: aRowStride,
                    aColumnStride: aColumnStride, b: b + j, bRowStride: bRowStride,
                    c: c + i * cRowStride + j, cRowStride: cRowStride, accumulate: accumulate,
                    bias: rowBias.map { $0 + j })
                i += 4
            }
            while i < m {
                tileRows(
                    rows: 1, width: 16, k: k, a: a + i * aRowStride, aRowStride: aRowStride,
                    aColumnStride: aColumnStride, b: b + j, bRowStride: bRowStride,
                    c: c + i * cRowStride + j, cRowStride: cRowStride, accumulate: accumulate,
                    bias: rowBias.map { $0 + j })
                tileRows(
                    rows: 1, width: 16, k: k, a: a + i * aRowStride, aRowStride: aRowStride,
                    aColumnStride: aColumnStride, b: b + j + 16, bRowStride: bRowStride,
                    c: c + i * cRowStride + j + 16, cRowStride: cRowStride,
                    accumulate: accumulate, bias: rowBias.map { $0 + j + 16 })
                i += 1
            }
            j += PackedPanels.panelWidth
        }
        while j < n {
            let width = min(16, n - j)
            var i = 0
            while i < m {
                let rows = min(4, m - i)
                tileRows(
                    rows: rows, width: width, k: k, a: a + i * aRowStride,
                    aRowStride: aRowStride, aColumnStride: aColumnStride, b: b + j,
                    bRowStride: bRowStride, c: c + i * cRowStride + j, cRowStride: cRowStride,
                    accumulate: accumulate, bias: rowBias.map { $0 + j })
                i += rows
            }
            j += 16
        }
    }

    /// 4 rows × 32 columns of C held in eight registers across the k-loop: the rows an
    /// 8-row tile leaves (m not a multiple of 8).
    @inlinable @inline(__always)
    static func tile4x32(
        k: Int, a: UnsafePointer<Float>, aRowStride: Int, aColumnStride: Int,
        b: UnsafePointer<Float>, bRowStride: Int,
        c: UnsafeMutablePointer<Float>, cRowStride: Int, accumulate: Bool, bias: UnsafePointer<Float>?
    ) {
        let c0 = c, c1 = c + cRowStride, c2 = c + 2 * cRowStride, c3 = c + 3 * cRowStride
        var s00 = SIMD16<Float>(), s01 = SIMD16<Float>()
        var s10 = SIMD16<Float>(), s11 = SIMD16<Float>()
        var s20 = SIMD16<Float>(), s21 = SIMD16<Float>()
        var s30 = SIMD16<Float>(), s31 = SIMD16<Float>()
        if accumulate {
            s00 = load(c0); s01 = load(c0 + 16)
            s10 = load(c1); s11 = load(c1 + 16)
            s20 = load(c2); s21 = load(c2 + 16)
            s30 = load(c3); s31 = load(c3 + 16)
        } else if let bias {
            s00 = load(bias); s01 = load(bias + 16)
            s10 = s00; s11 = s01; s20 = s00; s21 = s01; s30 = s00; s31 = s01
        }
        var ap = a
        var bp = b
        let r1 = aRowStride, r2 = 2 * aRowStride, r3 = 3 * aRowStride
        for _ in 0..<k {
            let b0 = load(bp), b1 = load(bp + 16)
            let x0 = ap[0], x1 = ap[r1], x2 = ap[r2], x3 = ap[r3]
            s00 = s00.addingProduct(x0, b0); s01 = s01.addingProduct(x0, b1)
            s10 = s10.addingProduct(x1, b0); s11 = s11.addingProduct(x1, b1)
            s20 = s20.addingProduct(x2, b0); s21 = s21.addingProduct(x2, b1)
            s30 = s30.addingProduct(x3, b0); s31 = s31.addingProduct(x3, b1)
            ap += aColumnStride
            bp += bRowStride
        }
        store(s00, c0); store(s01, c0 + 16)
        store(s10, c1); store(s11, c1 + 16)
        store(s20, c2); store(s21, c2 + 16)
        store(s30, c3); store(s31, c3 + 16)
    }

    /// The widest tile: 8 rows × 32 columns in sixteen registers (AVX-512 has 32), so each
    /// pair of B loads feeds sixteen FMAs and sixteen independent chains hide FMA latency.
    /// With `prefetch`, the k-loop also asks for `prefetchLines` (≤ 2k) cache lines (16 floats
    /// each) from there on, one or two per step: the packed products fetch the next block of
    /// weights while a tile computes from L1 (see `multiply(groups:…)`).
    @inlinable @inline(__always)
    static func tile8x32(
        k: Int, a: UnsafePointer<Float>, aRowStride: Int, aColumnStride: Int,
        b: UnsafePointer<Float>, bRowStride: Int,
        c: UnsafeMutablePointer<Float>, cRowStride: Int, accumulate: Bool, bias: UnsafePointer<Float>?,
        prefetch: UnsafePointer<Float>? = nil, prefetchLines: Int = 0
    ) {
        var s00 = SIMD16<Float>(), s01 = SIMD16<Float>(), s10 = SIMD16<Float>(), s11 = SIMD16<Float>()
        var s20 = SIMD16<Float>(), s21 = SIMD16<Float>(), s30 = SIMD16<Float>(), s31 = SIMD16<Float>()
        var s40 = SIMD16<Float>(), s41 = SIMD16<Float>(), s50 = SIMD16<Float>(), s51 = SIMD16<Float>()
        var s60 = SIMD16<Float>(), s61 = SIMD16<Float>(), s70 = SIMD16<Float>(), s71 = SIMD16<Float>()
        if accumulate {
            s00 = load(c); s01 = load(c + 16)
            s10 = load(c + cRowStride); s11 = load(c + cRowStride + 16)
            s20 = load(c + 2 * cRowStride); s21 = load(c + 2 * cRowStride + 16)
            s30 = load(c + 3 * cRowStride); s31 = load(c + 3 * cRowStride + 16)
            s40 = load(c + 4 * cRowStride); s41 = load(c + 4 * cRowStride + 16)
            s50 = load(c + 5 * cRowStride); s51 = load(c + 5 * cRowStride + 16)
            s60 = load(c + 6 * cRowStride); s61 = load(c + 6 * cRowStride + 16)
            s70 = load(c + 7 * cRowStride); s71 = load(c + 7 * cRowStride + 16)
        } else if let bias {
            s00 = load(bias); s01 = load(bias + 16)
            s10 = s00; s11 = s01; s20 = s00; s21 = s01; s30 = s00; s31 = s01
            s40 = s00; s41 = s01; s50 = s00; s51 = s01; s60 = s00; s61 = s01; s70 = s00; s71 = s01
        }
        var ap = a
        var bp = b
        let r = aRowStride
        let ahead = prefetch ?? b
        for step in 0..<k {
            if step < prefetchLines { nbrun_prefetch(ahead + step * 16) }
            if step + k < prefetchLines { nbrun_prefetch(ahead + (step + k) * 16) }
            let b0 = load(bp), b1 = load(bp + 16)
            var x = ap[0]
            s00 = s00.addingProduct(x, b0); s01 = s01.addingProduct(x, b1)
            x = ap[r]
            s10 = s10.addingProduct(x, b0); s11 = s11.addingProduct(x, b1)
            x = ap[2 * r]
            s20 = s20.addingProduct(x, b0); s21 = s21.addingProduct(x, b1)
            x = ap[3 * r]
            s30 = s30.addingProduct(x, b0); s31 = s31.addingProduct(x, b1)
            x = ap[4 * r]
            s40 = s40.addingProduct(x, b0); s41 = s41.addingProduct(x, b1)
            x = ap[5 * r]
            s50 = s50.addingProduct(x, b0); s51 = s51.addingProduct(x, b1)
            x = ap[6 * r]
            s60 = s60.addingProduct(x, b0); s61 = s61.addingProduct(x, b1)
            x = ap[7 * r]
            s70 = s70.addingProduct(x, b0); s71 = s71.addingProduct(x, b1)
            ap += aColumnStride
            bp += bRowStride
        }
        store(s00, c); store(s01, c + 16)
        store(s10, c + cRowStride); store(s11, c + cRowStride + 16)
        store(s20, c + 2 * cRowStride); store(s21, c + 2 * cRowStride + 16)
        store(s30, c + 3 * cRowStride); store(s31, c + 3 * cRowStride + 16)
        store(s40, c + 4 * cRowStride); store(s41, c + 4 * cRowStride + 16)
        store(s50, c + 5 * cRowStride); store(s51, c + 5 * cRowStride + 16)
        store(s60, c + 6 * cRowStride); store(s61, c + 6 * cRowStride + 16)
        store(s70, c + 7 * cRowStride); store(s71, c + 7 * cRowStride + 16)
    }

    /// Edge tile: up to 4 rows × up to 16 columns, with partial loads and stores.
    @inlinable
    static func tileRows(
        rows: Int, width: Int, k: Int, a: UnsafePointer<Float>, aRowStride: Int,
        aColumnStride: Int, b: UnsafePointer<Float>, bRowStride: Int,
        c: UnsafeMutablePointer<Float>, cRowStride: Int, accumulate: Bool, bias: UnsafePointer<Float>?
    ) {
        var sums = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
        if accumulate {
            if rows > 0 { sums.0 = loadPartial(c, count: width) }
            if rows > 1 { sums.1 = loadPartial(c + cRowStride, count: width) }
            if rows > 2 { sums.2 = loadPartial(c + 2 * cRowStride, count: width) }
            if rows > 3 { sums.3 = loadPartial(c + 3 * cRowStride, count: width) }
        } else if let bias {
            let start = loadPartial(bias, count: width)
            sums = (start, start, start, start)
        }
        var ap = a
        var bp = b
        for _ in 0..<k {
            let bv = loadPartial(bp, count: width)
            sums.0 = sums.0.addingProduct(ap[0], bv)
            if rows > 1 { sums.1 = sums.1.addingProduct(ap[aRowStride], bv) }
            if rows > 2 { sums.2 = sums.2.addingProduct(ap[2 * aRowStride], bv) }
            if rows > 3 { sums.3 = sums.3.addingProduct(ap[3 * aRowStride], bv) }
            ap += aColumnStride
            bp += bRowStride
        }
        if rows > 0 { storePartial(sums.0, c, count: width) }
        if rows > 1 { storePartial(sums.1, c + cRowStride, count: width) }
        if rows > 2 { storePartial(sums.2, c + 2 * cRowStride, count: width) }
        if rows > 3 { storePartial(sums.3, c + 3 * cRowStride, count: width) }
    }
}

// MARK: - Vector loads and stores
//
// `@_transparent` rather than `@inline(__always)`: measured here, the latter still left
// calls in the activation loops, and a call boundary costs a spill of every live vector
// plus the loss of overlap between the independent gate computations (2.3× slower).

/// Eight floats: one row of an 8-row tile (see `PackedRowTiles`).
@_transparent @usableFromInline
func loadHalf(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

@_transparent @usableFromInline
func storeHalf(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
}
