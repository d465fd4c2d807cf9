import Foundation
@testable import NeuralNetwork
import Testing

@Suite struct LinearTests {
    /// A 7 → 5 Linear on a batch of 6: outputs and all three gradients against double sums.
    @Test func forwardAndBackwardMatchTheirDefinitions() {
        let batch = 6, inFeatures = 7, outFeatures = 5
        var generator = SeededGenerator(seed: 17)
        func random(_ count: Int) -> [Float] { (0..<count).map { _ in generator.nextFloat(symmetricBound: 1) } }
        let x = random(batch * inFeatures), weight = random(outFeatures * inFeatures), bias = random(outFeatures)
        let dy = random(batch * outFeatures)
        // Wᵀ [in, out] from W [out, in].
        let transposed = (0..<inFeatures * outFeatures).map { weight[($0 % outFeatures) * inFeatures + $0 / outFeatures] }
        var y = [Float](repeating: 0, count: batch * outFeatures)
        var dWT = [Float](repeating: .nan, count: inFeatures * outFeatures)
        var db = [Float](repeating: .nan, count: outFeatures)
        var dx = [Float](repeating: .nan, count: batch * inFeatures)
        Linear.forward(input: x, batch: batch, inFeatures: inFeatures, outFeatures: outFeatures,
                       transposedWeight: transposed, bias: bias, output: &y)
        Linear.backward(input: x, outputGradient: dy, batch: batch, inFeatures: inFeatures, outFeatures: outFeatures,
                        weight: weight, transposedWeightGradient: &dWT, biasGradient: &db, inputGradient: &dx)

        for b in 0..<batch {
            for o in 0..<outFeatures {
                let expected = Double(bias[o]) + (0..<inFeatures).reduce(0.0) { $0 + Double(x[b * inFeatures + $1]) * Double(weight[o * inFeatures + $1]) }
                #expect(abs(Double(y[b * outFeatures + o]) - expected) <= 1e-6)
            }
            for i in 0..<inFeatures {
                let expected = (0..<outFeatures).reduce(0.0) { $0 + Double(dy[b * outFeatures + $1]) * Double(weight[$1 * inFeatures + i]) }
                #expect(abs(Double(dx[b * inFeatures + i]) - expected) <= 1e-6, "∂L/∂x[\(b), \(i)]")
            }
        }
        for o in 0..<outFeatures {
            let expectedBias = (0..<batch).reduce(0.0) { $0 + Double(dy[$1 * outFeatures + o]) }
            #expect(abs(Double(db[o]) - expectedBias) <= 1e-6)
            for i in 0..<inFeatures {
                let expected = (0..<batch).reduce(0.0) { $0 + Double(x[$1 * inFeatures + i]) * Double(dy[$1 * outFeatures + o]) }
                #expect(abs(Double(dWT[i * outFeatures + o]) - expected) <= 1e-6, "∂L/∂W[\(o), \(i)]")
            }
        }
    }

    @Test func sumRowsHandlesRaggedShapes() {
        for (rows, columns) in [(1, 1), (3, 17), (9, 40), (0, 5)] {
            let matrix = (0..<rows * columns).map { Float($0 % 11) - 5 }
            var out = [Float](repeating: .nan, count: columns)
            Linear.sumRows(matrix, rows: rows, columns: columns, into: &out)
            for column in 0..<columns {
                #expect(out[column] == (0..<rows).reduce(0) { $0 + matrix[$1 * columns + column] })
            }
        }
    }
}

extension LinearTests {
    /// Bias gradients sum in a fixed order (four partial sums over rows ≡ 0…3 mod 4, then
    /// (s0 + s1) + (s2 + s3)), whichever way the columns are walked: random values make any
    /// other order show in the bits. Widths cover the 64-column passes, the 16-column rest
    /// and a ragged end; a row stride wider than the columns, as for one thread's share.
    @Test(arguments: [(7, 64, 64), (433, 130, 131), (5, 200, 257), (2, 80, 80), (0, 64, 64)])
    func sumRowsSumsInTheFixedOrder(rows: Int, columns: Int, stride: Int) {
        var generator = SeededGenerator(seed: UInt64(rows * 1000 + columns))
        let matrix = (0..<max(rows * stride, 1)).map { _ in generator.nextFloat(symmetricBound: 1) }
        var out = [Float](repeating: .nan, count: columns)
        Linear.sumRows(matrix, rows: rows, columns: columns, rowStride: stride, into: &out)
        for column in 0..<columns {
            var partial = [Float](repeating: 0, count: 4)
            let fullRows = rows / 4 * 4
            for row in 0..<rows { partial[row < fullRows ? row % 4 : 0] += matrix[row * stride + column] }
            let expected = (partial[0] + partial[1]) + (partial[2] + partial[3])
            #expect(out[column].bitPattern == expected.bitPattern, "column \(column): \(out[column]) ≠ \(expected)")
        }
    }
}

@Suite struct SoftmaxCrossEntropyTests {
    @Test func lossAndGradientMatchTheDefinitionAndStayFiniteForHugeLogits() {
        let logits: [Float] = [2, -1, 0.5, 1000, -1000, 999, -3, -3, -3]
        let labels: [Int32] = [0, 2, 1]
        var gradient = [Float](repeating: .nan, count: 9)
        let sum = SoftmaxCrossEntropy.lossSum(logits: logits, labels: labels, count: 3, classes: 3,
                                              gradientScale: 0.5, gradient: &gradient)
        var expected = 0.0
        for row in 0..<3 {
            let l = logits[(row * 3)..<(row * 3 + 3)].map(Double.init)
            let m = l.max()!
            let logSum = m + Foundation.log(l.map { Foundation.exp($0 - m) }.reduce(0, +))
            expected += logSum - l[Int(labels[row])]
            for j in 0..<3 {
                let softmax = Foundation.exp(l[j] - logSum)
                let g = 0.5 * (softmax - (j == Int(labels[row]) ? 1 : 0))
                #expect(abs(Double(gradient[row * 3 + j]) - g) <= 1e-7, "gradient[\(row), \(j)]")
            }
        }
        #expect(abs(Double(sum) - expected) <= 1e-5)
        #expect(sum.isFinite && gradient.allSatisfy(\.isFinite))
    }

    @Test func uniformLogitsCostLogOfTheClassCount() {
        let logits = [Float](repeating: 0.25, count: 2 * 10)
        var gradient = [Float](repeating: .nan, count: 20)
        let sum = SoftmaxCrossEntropy.lossSum(logits: logits, labels: [3, 9], count: 2, classes: 10,
                                              gradientScale: 1, gradient: &gradient)
        #expect(abs(sum - 2 * Float(Foundation.log(10.0))) <= 1e-6)
        #expect(abs(gradient[3] - (0.1 - 1)) <= 1e-7 && abs(gradient[4] - 0.1) <= 1e-7)
    }
}
