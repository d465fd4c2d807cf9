/// Elementwise transcendental functions on `SIMD16<Float>`, written out so they vectorise.
/// They are `@_transparent` so they always inline into the activation loops, where the
/// five independent gate computations of a step can then overlap in the pipeline.
///
/// A call to `Foundation.exp` per lane would dominate the LSTM's activation phase; these
/// stay in registers. Accuracy is a few ulp over the range the LSTM uses, far inside the
/// 1e-5 agreement the PyTorch comparison asks for.
public enum VectorMath {
    /// eˣ by range reduction: x = n·ln2 + r with |r| ≤ ln2/2, eʳ by its Taylor series to
    /// degree 7 (truncation error r⁸/8! < 6e-9 relative), and 2ⁿ built in the exponent bits.
    /// Inputs are clamped to [-87, 88] so 2ⁿ stays a normal float (no inf/NaN from overflow).
    @_transparent
    public static func exp(_ x: SIMD16<Float>) -> SIMD16<Float> {
        // Clamp with compare-and-select: `clamped(lowerBound:upperBound:)` is lowered lane by lane.
        let low = SIMD16<Float>(repeating: -87), high = SIMD16<Float>(repeating: 88)
        let clamped = x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
        // Round x·log2(e) to an integer n without a float→int conversion (which the standard
        // library lowers lane by lane): adding 1.5·2²³ leaves n in the low mantissa bits of
        // the sum, and subtracting 1.5·2²³ again gives n as a float.
        let shifter = SIMD16<Float>(repeating: 12_582_912)
        let shifted = shifter.addingProduct(clamped, SIMD16(repeating: 1.442_695_04))
        let n = shifted - shifter
        // ln 2 split in a high part exact in float and a low correction (Cody–Waite).
        var r = clamped.addingProduct(n, SIMD16(repeating: -0.693_145_751_953_125))
        r = r.addingProduct(n, SIMD16(repeating: -1.428_606_765_330_187e-6))
        var p = SIMD16<Float>(repeating: 1.0 / 5040)
        p = SIMD16(repeating: 1.0 / 720).addingProduct(p, r)
        p = SIMD16(repeating: 1.0 / 120).addingProduct(p, r)
        p = SIMD16(repeating: 1.0 / 24).addingProduct(p, r)
        p = SIMD16(repeating: 1.0 / 6).addingProduct(p, r)
        p = SIMD16(repeating: 0.5).addingProduct(p, r)
        p = SIMD16(repeating: 1).addingProduct(p, r)
        p = SIMD16(repeating: 1).addingProduct(p, r)
        // 2ⁿ: the sum's bit pattern is 0x4B400000 + n; move n + 127 into the exponent field.
        let bits = unsafeBitCast(shifted, to: SIMD16<Int32>.self)
        let scale = (bits &- SIMD16(repeating: 0x4B40_0000 - 127)) &<< 23
        return p * unsafeBitCast(scale, to: SIMD16<Float>.self)
    }

    /// σ(x) = 1 / (1 + e⁻ˣ).
    @_transparent
    public static func sigmoid(_ x: SIMD16<Float>) -> SIMD16<Float> {
        1 / (1 + exp(-x))
    }

    /// tanh(x) = (1 − e⁻²ˣ) / (1 + e⁻²ˣ) for x ≥ 0, mirrored for x < 0 so e⁻²|x| ≤ 1 never
    /// overflows. Near zero the subtraction 1 − e⁻²ˣ loses relative (not absolute) precision,
    /// so |x| < 1/4 uses the odd series x − x³/3 + 2x⁵/15 − 17x⁷/315 + 62x⁹/2835 instead
    /// (the first omitted term is below 1e-8 of tanh x there).
    @_transparent
    public static func tanh(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let magnitude = x.replacing(with: -x, where: x .< 0)
        let e = exp(-2 * magnitude)
        let large = (1 - e) / (1 + e)
        let x2 = x * x
        var series = SIMD16<Float>(repeating: 62.0 / 2835)
        series = SIMD16(repeating: -17.0 / 315).addingProduct(series, x2)
        series = SIMD16(repeating: 2.0 / 15).addingProduct(series, x2)
        series = SIMD16(repeating: -1.0 / 3).addingProduct(series, x2)
        series = magnitude.addingProduct(series * x2, magnitude)
        let chosen = large.replacing(with: series, where: magnitude .< 0.25)
        return chosen.replacing(with: -chosen, where: x .< 0)
    }

    /// √x for x ≥ 0, within about 1 ulp. `SIMD16.squareRoot()` is lowered to one libm call
    /// per lane (errno semantics), so this builds it from vector arithmetic instead: the
    /// classic bit-level estimate of 1/√x (relative error < 3.5%), three Newton steps
    /// y ← y(3/2 − x·y²/2) (error 1.8e-3, 4.6e-6, then float rounding), s = x·y, and one
    /// correction s ← s + y(x − s²)/2 using the exact FMA residual. x = 0 gives 0.
    @_transparent
    public static func squareRoot(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let bits = unsafeBitCast(x, to: SIMD16<UInt32>.self)
        var y = unsafeBitCast(SIMD16<UInt32>(repeating: 0x5F37_59DF) &- (bits &>> 1), to: SIMD16<Float>.self)
        let halfX = 0.5 * x
        y = y * (1.5 - halfX * y * y)
        y = y * (1.5 - halfX * y * y)
        y = y * (1.5 - halfX * y * y)
        let s = x * y
        let residual = x.addingProduct(-s, s)
        return s.addingProduct(0.5 * y, residual)
    }
}
