@testable import NeuralNetwork
import Testing

/// The tiled kernel against a naive triple loop, on shapes that hit every edge path:
/// rows not a multiple of 4, columns not a multiple of 16 or 32, padded row strides,
/// transposed A, and accumulate versus overwrite.
@Suite struct MatrixProductTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let m: Int, n: Int, k: Int, transposedA: Bool, accumulate: Bool
        var testDescription: String { "\(m)×\(k)·\(k)×\(n)\(transposedA ? " Aᵀ" : "")\(accumulate ? " +=" : "")" }
    }

    static let cases: [Case] = [
        Case(m: 1, n: 1, k: 1, transposedA: false, accumulate: false),
        Case(m: 3, n: 5, k: 7, transposedA: false, accumulate: true),
        Case(m: 4, n: 32, k: 9, transposedA: false, accumulate: false),
        Case(m: 5, n: 33, k: 17, transposedA: true, accumulate: false),
        Case(m: 7, n: 47, k: 3, transposedA: false, accumulate: true),
        Case(m: 13, n: 70, k: 29, transposedA: true, accumulate: true),
        Case(m: 16, n: 64, k: 40, transposedA: false, accumulate: false),
        Case(m: 9, n: 16, k: 0, transposedA: false, accumulate: false),
        Case(m: 2, n: 100, k: 31, transposedA: true, accumulate: false),
        // Long but unblocked k, like the weight gradients (27 steps × 16).
        Case(m: 6, n: 40, k: 300, transposedA: true, accumulate: true),
        Case(m: 5, n: 17, k: 261, transposedA: false, accumulate: false),
        // k > 512 takes the k-blocked path (blocks of 512 plus a remainder).
        Case(m: 9, n: 40, k: 1100, transposedA: true, accumulate: true),
        Case(m: 5, n: 33, k: 530, transposedA: false, accumulate: false),
    ]

    @Test(arguments: cases)
    func tiledProductMatchesNaiveReference(_ shape: Case) {
        var generator = SeededGenerator(seed: UInt64(shape.m * 1000 + shape.n * 10 + shape.k))
        // Padded strides: rows of A, B and C are longer than the matrix, like sub-blocks.
        let lda = (shape.transposedA ? shape.m : shape.k) + 3
        let aRows = shape.transposedA ? shape.k : shape.m
        let ldb = shape.n + 5, ldc = shape.n + 2
        let a = (0..<aRows * lda).map { _ in generator.nextFloat(symmetricBound: 1) }
        let b = (0..<max(shape.k, 1) * ldb).map { _ in generator.nextFloat(symmetricBound: 1) }
        let initial = (0..<shape.m * ldc).map { _ in generator.nextFloat(symmetricBound: 1) }
        var c = initial

        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    MatrixProduct.multiply(
                        m: shape.m, n: shape.n, k: shape.k, a: a.baseAddress!,
                        aRowStride: shape.transposedA ? 1 : lda, aColumnStride: shape.transposedA ? lda : 1,
                        b: b.baseAddress!, bRowStride: ldb, c: c.baseAddress!, cRowStride: ldc,
                        accumulate: shape.accumulate)
                }
            }
        }

        for i in 0..<shape.m {
            for j in 0..<ldc {
                let index = i * ldc + j
                guard j < shape.n else {
                    #expect(c[index] == initial[index], "padding at (\(i), \(j)) must be untouched")
                    continue
                }
                var expected = shape.accumulate ? Double(initial[index]) : 0
                var magnitude = abs(expected)
                for p in 0..<shape.k {
                    let aValue = Double(shape.transposedA ? a[p * lda + i] : a[i * lda + p])
                    expected += aValue * Double(b[p * ldb + j])
                    magnitude += abs(aValue * Double(b[p * ldb + j]))
                }
                // Float accumulation error is bounded by about k·ε·Σ|a·b|.
                let tolerance = Double(shape.k + 1) * 1.2e-7 * magnitude + 1e-12
                #expect(abs(Double(c[index]) - expected) <= tolerance, "C[\(i), \(j)] = \(c[index]), expected \(expected)")
            }
        }
    }
}

extension MatrixProductTests {
    /// C = 1·biasᵀ + A·B on ragged shapes, including k = 0 (C is then the bias rows).
    @Test(arguments: [(5, 45, 7), (8, 64, 28), (3, 10, 0), (1, 33, 1), (4, 20, 270), (9, 40, 600)])
    func rowBiasStartsEveryRowFromTheBias(m: Int, n: Int, k: Int) {
        var generator = SeededGenerator(seed: UInt64(m * n + k))
        let a = (0..<max(m * k, 1)).map { _ in generator.nextFloat(symmetricBound: 1) }
        let b = (0..<max(k * n, 1)).map { _ in generator.nextFloat(symmetricBound: 1) }
        let bias = (0..<n).map { _ in generator.nextFloat(symmetricBound: 1) }
        var c = [Float](repeating: .nan, count: m * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                bias.withUnsafeBufferPointer { bias in
                    c.withUnsafeMutableBufferPointer { c in
                        MatrixProduct.multiply(
                            m: m, n: n, k: k, a: a.baseAddress!, aRowStride: k, aColumnStride: 1,
                            b: b.baseAddress!, bRowStride: n, c: c.baseAddress!, cRowStride: n,
                            accumulate: false, rowBias: bias.baseAddress!)
                    }
                }
            }
        }
        for i in 0..<m {
            for j in 0..<n {
                var expected = Double(bias[j]), magnitude = abs(expected)
                for p in 0..<k {
                    expected += Double(a[i * k + p]) * Double(b[p * n + j])
                    magnitude += abs(Double(a[i * k + p]) * Double(b[p * n + j]))
                }
                // The same float accumulation bound as the main test, k·ε·Σ|a·b|.
                let tolerance = Double(k + 1) * 1.2e-7 * magnitude + 1e-12
                #expect(abs(Double(c[i * n + j]) - expected) <= tolerance, "C[\(i), \(j)]")
            }
        }
    }
}
