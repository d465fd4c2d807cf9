import Foundation

/// Adam with PyTorch's defaults and its exact update order (`torch.optim.Adam`, single-tensor path):
///   m ← m + (1 − β1)(g − m)            (lerp)
///   v ← β2·v + (1 − β2)·g²
///   p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
/// The bias corrections are computed in double precision, as Python does.
public final class Adam {
    public let parameterCount: Int
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float
    /// First and second moment estimates, in the model's flat parameter layout.
    public let firstMoments: UnsafeMutableBufferPointer<Float>
    public let secondMoments: UnsafeMutableBufferPointer<Float>
    /// Number of updates applied so far (t in the bias corrections).
    public var stepCount = 0

    public init(parameterCount: Int, learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.parameterCount = parameterCount
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        firstMoments = .allocate(capacity: parameterCount)
        firstMoments.initialize(repeating: 0)
        secondMoments = .allocate(capacity: parameterCount)
        secondMoments.initialize(repeating: 0)
    }

    deinit {
        firstMoments.deallocate()
        secondMoments.deallocate()
    }

    /// Applies one update to `parameters` from `gradients` (both `parameterCount` long).
    public func update(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>) {
        stepCount += 1
        let t = Double(stepCount)
        let biasCorrection1 = 1 - pow(Double(beta1), t)
        let biasCorrection2 = 1 - pow(Double(beta2), t)
        let stepSize = SIMD16<Float>(repeating: Float(Double(learningRate) / biasCorrection1))
        let correction2Root = SIMD16<Float>(repeating: Float(biasCorrection2.squareRoot()))
        let oneMinusBeta1 = SIMD16<Float>(repeating: 1 - beta1)
        let beta2Vector = SIMD16<Float>(repeating: beta2)
        let oneMinusBeta2 = SIMD16<Float>(repeating: 1 - beta2)
        let epsilonVector = SIMD16<Float>(repeating: epsilon)
        let m = firstMoments.baseAddress!, v = secondMoments.baseAddress!
        var index = 0
        while index < parameterCount {
            let width = min(16, parameterCount - index)
            let g = loadPartial(gradients + index, count: width)
            var mean = loadPartial(m + index, count: width)
            var variance = loadPartial(v + index, count: width)
            mean = mean + oneMinusBeta1 * (g - mean)
            variance = variance * beta2Vector + oneMinusBeta2 * (g * g)
            let denominator = variance.squareRoot() / correction2Root + epsilonVector
            let p = loadPartial(parameters + index, count: width) - stepSize * (mean / denominator)
            storePartial(mean, m + index, count: width)
            storePartial(variance, v + index, count: width)
            storePartial(p, parameters + index, count: width)
            index += width
        }
    }
}
