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

    /// Advances t. `apply` may then be called on disjoint ranges (from several threads):
    /// each element's update depends only on its own values, so any split gives the same result.
    public func beginStep() {
        stepCount += 1
    }

    /// The update of step `stepCount` for the elements in `range`.
    public func apply(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= parameterCount, "range \(range) outside the parameters")
        let t = Double(stepCount)
        let biasCorrection1 = 1 - pow(Double(beta1), t)
        let biasCorrection2 = 1 - pow(Double(beta2), t)
        let stepSize = Float(Double(learningRate) / biasCorrection1)
        let correction2Root = Float(biasCorrection2.squareRoot())
        let oneMinusBeta1 = SIMD16<Float>(repeating: 1 - beta1), beta2Vector = SIMD16<Float>(repeating: beta2)
        let oneMinusBeta2 = SIMD16<Float>(repeating: 1 - beta2), epsilonVector = SIMD16<Float>(repeating: epsilon)
        let stepSizeVector = SIMD16<Float>(repeating: stepSize), correction = SIMD16<Float>(repeating: correction2Root)
        let m = firstMoments.baseAddress!, v = secondMoments.baseAddress!
        var index = range.lowerBound
        while index < range.upperBound {
            let width = min(16, range.upperBound - index)
            let g = loadPartial(gradients + index, count: width)
            var mean = loadPartial(m + index, count: width)
            var variance = loadPartial(v + index, count: width)
            mean = mean + oneMinusBeta1 * (g - mean)
            variance = variance * beta2Vector + oneMinusBeta2 * (g * g)
            let denominator = VectorMath.squareRoot(variance) / correction + epsilonVector
            let updated = loadPartial(parameters + index, count: width) - stepSizeVector * (mean / denominator)
            storePartial(mean, m + index, count: width)
            storePartial(variance, v + index, count: width)
            storePartial(updated, parameters + index, count: width)
            index += width
        }
    }
}
