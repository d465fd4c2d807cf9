import Foundation
@testable import NeuralNetwork
import Testing

@Suite struct VectorMathTests {
    /// Evaluates `function` on `inputs` 16 lanes at a time.
    func lanes(_ inputs: [Float], _ function: (SIMD16<Float>) -> SIMD16<Float>) -> [Float] {
        stride(from: 0, to: inputs.count, by: 16).flatMap { start -> [Float] in
            var vector = SIMD16<Float>()
            for lane in 0..<16 where start + lane < inputs.count { vector[lane] = inputs[start + lane] }
            let result = function(vector)
            return (0..<min(16, inputs.count - start)).map { result[$0] }
        }
    }

    let grid: [Float] = (0...4000).map { Float($0 - 2000) / 50 }  // −40 … 40 in steps of 0.02

    @Test func expIsWithinFourUlpOverTheFloatRange() {
        let inputs = (0...3500).map { Float($0 - 1750) / 20 }  // −87.5 … 87.5
        for (x, ours) in zip(inputs, lanes(inputs, VectorMath.exp)) where x >= -87 && x <= 88 {
            let exact = Foundation.exp(Double(x))
            #expect(abs(Double(ours) - exact) <= 4 * Double(Float.ulpOfOne) * exact, "exp(\(x)) = \(ours), expected \(exact)")
        }
    }

    @Test func sigmoidAndTanhMatchDoublePrecision() {
        for (x, ours) in zip(grid, lanes(grid, VectorMath.sigmoid)) {
            let exact = 1 / (1 + Foundation.exp(-Double(x)))
            #expect(abs(Double(ours) - exact) <= 3e-7 * max(exact, 1e-30) + 1e-30, "σ(\(x))")
        }
        for (x, ours) in zip(grid, lanes(grid, VectorMath.tanh)) {
            let exact = Foundation.tanh(Double(x))
            #expect(abs(Double(ours) - exact) <= 4e-7 * abs(exact) + 1e-38, "tanh(\(x)) = \(ours), expected \(exact)")
        }
    }

    @Test func tanhKeepsRelativePrecisionNearZero() {
        let tiny: [Float] = [1e-8, -3e-6, 1e-4, -0.01, 0.0625, 0.2499, -0.25, 0.3]
        for (x, ours) in zip(tiny, lanes(tiny, VectorMath.tanh)) {
            let exact = Foundation.tanh(Double(x))
            #expect(abs(Double(ours) - exact) <= 4e-7 * abs(exact), "tanh(\(x))")
        }
    }

    @Test func extremeInputsSaturateWithoutInfinityOrNaN() {
        let extremes: [Float] = [-1e30, -1000, -100, 100, 1000, 1e30, .infinity, -.infinity]
        let sigmoid = lanes(extremes, VectorMath.sigmoid)
        let tanh = lanes(extremes, VectorMath.tanh)
        for (index, x) in extremes.enumerated() {
            #expect(sigmoid[index].isFinite && tanh[index].isFinite, "x = \(x)")
            #expect(abs(sigmoid[index] - (x > 0 ? 1 : 0)) <= 1e-30 + (x > 0 ? 1e-7 : 0))
            #expect(tanh[index] == (x > 0 ? 1 : -1))
        }
    }
}

@Suite struct VectorSquareRootTests {
    @Test func squareRootIsWithinOneUlpFromZeroToLarge() {
        var inputs: [Float] = [0, 1e-30, 1e-12, 1e-8, 2.5e-7, 1, 2, 3, 4, 1e6, 3.4e30]
        var generator = SeededGenerator(seed: 3)
        inputs += (0..<2000).map { _ in Float(Foundation.exp(Double(generator.nextFloat(symmetricBound: 40)))) }
        for start in stride(from: 0, to: inputs.count, by: 16) {
            var vector = SIMD16<Float>()
            let count = min(16, inputs.count - start)
            for lane in 0..<count { vector[lane] = inputs[start + lane] }
            let result = VectorMath.squareRoot(vector)
            for lane in 0..<count {
                let x = inputs[start + lane]
                let exact = Float(Double(x).squareRoot())
                #expect(abs(result[lane] - exact) <= exact.ulp, "√\(x) = \(result[lane]), expected \(exact)")
            }
        }
    }
}
