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
    @inlinable
    public static func sumRows(
        _ matrix: UnsafePointer<Float>, rows: Int, columns: Int, rowStride: Int? = nil, into out: UnsafeMutablePointer<Float>
    ) {
        let stride = rowStride ?? columns
        var column = 0
        while column < columns {
            let width = min(16, columns - column)
            // Four partial sums so the additions are not one serial dependency chain.
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
}
