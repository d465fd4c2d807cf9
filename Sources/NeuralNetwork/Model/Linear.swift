/// A fully connected layer y = x·Wᵀ + b (PyTorch's `nn.Linear`) on raw buffers, with its
/// gradients. The weight is kept in two layouts because each product wants its operand
/// row-major: Wᵀ [in, out] for the forward pass and the weight gradient, W [out, in] (the
/// PyTorch layout) for the input gradient.
public enum Linear {
    /// y [batch, out] = x [batch, in] · Wᵀ + b.
    @inlinable
    public static func forward(
        input: UnsafePointer<Float>, batch: Int, inFeatures: Int, outFeatures: Int,
        transposedWeight: UnsafePointer<Float>, bias: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        MatrixProduct.multiply(
            m: batch, n: outFeatures, k: inFeatures,
            a: input, aRowStride: inFeatures, aColumnStride: 1,
            b: transposedWeight, bRowStride: outFeatures,
            c: output, cRowStride: outFeatures, accumulate: false, rowBias: bias)
    }

    /// From dy = ∂L/∂y [batch, out]:
    ///   ∂L/∂Wᵀ = xᵀ·dy [in, out],  ∂L/∂b = Σ_rows dy,  ∂L/∂x = dy·W [batch, in] (when wanted).
    /// The parameter gradients are written, not accumulated.
    @inlinable
    public static func backward(
        input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, batch: Int,
        inFeatures: Int, outFeatures: Int, weight: UnsafePointer<Float>,
        transposedWeightGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?
    ) {
        MatrixProduct.multiply(
            m: inFeatures, n: outFeatures, k: batch,
            a: input, aRowStride: 1, aColumnStride: inFeatures,
            b: outputGradient, bRowStride: outFeatures,
            c: transposedWeightGradient, cRowStride: outFeatures, accumulate: false)
        sumRows(outputGradient, rows: batch, columns: outFeatures, into: biasGradient)
        if let inputGradient {
            MatrixProduct.multiply(
                m: batch, n: inFeatures, k: outFeatures,
                a: outputGradient, aRowStride: outFeatures, aColumnStride: 1,
                b: weight, bRowStride: inFeatures,
                c: inputGradient, cRowStride: inFeatures, accumulate: false)
        }
    }

    /// out[j] = Σ_i m[i, j]: the gradient of a bias added to every row. Rows are `rowStride`
    /// floats apart (`columns` unless told), so some columns of a wider matrix can be summed.
    ///
    /// Every column is summed the same way: four partial sums taking rows i ≡ 0, 1, 2, 3
    /// (mod 4) in order, then (s0 + s1) + (s2 + s3). Columns go 64 at a time (sixteen
    /// registers), so each row contributes four whole cache lines per pass rather than one:
    /// a pass down 16 columns of a tall matrix (the gate gradients, 4H floats a row) touches
    /// a new page at every row and loses the prefetcher.
    @inlinable
    public static func sumRows(
        _ matrix: UnsafePointer<Float>, rows: Int, columns: Int, rowStride: Int? = nil, into out: UnsafeMutablePointer<Float>
    ) {
        let stride = rowStride ?? columns
        var column = 0
        while column + 64 <= columns {
            sumRows64(matrix + column, rows: rows, stride: stride, into: out + column)
            column += 64
        }
        while column < columns {
            let width = min(16, columns - column)
            var sums = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
            var row = 0
            while row + 4 <= rows {
                sums.0 += loadPartial(matrix + row * stride + column, count: width)
                sums.1 += loadPartial(matrix + (row + 1) * stride + column, count: width)
                sums.2 += loadPartial(matrix + (row + 2) * stride + column, count: width)
                sums.3 += loadPartial(matrix + (row + 3) * stride + column, count: width)
                row += 4
            }
            while row < rows {
                sums.0 += loadPartial(matrix + row * stride + column, count: width)
                row += 1
            }
            storePartial((sums.0 + sums.1) + (sums.2 + sums.3), out + column, count: width)
            column += width
        }
    }

    /// 64 columns of `sumRows`, with the same four partial sums per column.
    @inlinable @inline(__always)
    static func sumRows64(_ matrix: UnsafePointer<Float>, rows: Int, stride: Int, into out: UnsafeMutablePointer<Float>) {
        // sXY: partial sum X (rows ≡ X mod 4) of columns 16·Y ..< 16·Y + 16.
        var s00 = SIMD16<Float>(), s01 = SIMD16<Float>(), s02 = SIMD16<Float>(), s03 = SIMD16<Float>()
        var s10 = SIMD16<Float>(), s11 = SIMD16<Float>(), s12 = SIMD16<Float>(), s13 = SIMD16<Float>()
        var s20 = SIMD16<Float>(), s21 = SIMD16<Float>(), s22 = SIMD16<Float>(), s23 = SIMD16<Float>()
        var s30 = SIMD16<Float>(), s31 = SIMD16<Float>(), s32 = SIMD16<Float>(), s33 = SIMD16<Float>()
        var row = 0
        while row + 4 <= rows {
            var r = matrix + row * stride
            s00 += load(r); s01 += load(r + 16); s02 += load(r + 32); s03 += load(r + 48)
            r += stride
            s10 += load(r); s11 += load(r + 16); s12 += load(r + 32); s13 += load(r + 48)
            r += stride
            s20 += load(r); s21 += load(r + 16); s22 += load(r + 32); s23 += load(r + 48)
            r += stride
            s30 += load(r); s31 += load(r + 16); s32 += load(r + 32); s33 += load(r + 48)
            row += 4
        }
        while row < rows {
            let r = matrix + row * stride
            s00 += load(r); s01 += load(r + 16); s02 += load(r + 32); s03 += load(r + 48)
            row += 1
        }
        store((s00 + s10) + (s20 + s30), out)
        store((s01 + s11) + (s21 + s31), out + 16)
        store((s02 + s12) + (s22 + s32), out + 32)
        store((s03 + s13) + (s23 + s33), out + 48)
    }
}
