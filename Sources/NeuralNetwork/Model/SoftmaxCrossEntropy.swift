import Foundation

/// Softmax cross-entropy, PyTorch's `CrossEntropyLoss` with mean reduction, and its gradient.
public enum SoftmaxCrossEntropy {
    /// For each row b of `logits` [count, classes] with target y_b:
    ///   loss_b = log Σ_j exp(l_bj) − l_by   (computed as log Σ exp(l − m) + (m − l_by), m = max_j l_bj)
    ///   ∂loss_b/∂l_bj = softmax(l_b)_j − [j = y_b]
    /// Writes `gradientScale` · ∂loss_b/∂l_b into `gradient` (pass 1/batch for the mean over a
    /// batch that may be split across shards) and returns Σ_b loss_b, summed in row order.
    /// Every label must be in 0..<classes: callers check the whole batch once, up front
    /// (`Trainer` does, naming the sample at fault), rather than once per shard here.
    public static func lossSum(
        logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count: Int, classes: Int,
        gradientScale: Float, gradient: UnsafeMutablePointer<Float>
    ) -> Float {
        var total: Float = 0
        for row in 0..<count {
            let label = Int(labels[row])
            let l = logits + row * classes
            var maximum = l[0]
            for j in 1..<max(classes, 1) { maximum = max(maximum, l[j]) }
            // Shifting by the maximum keeps exp() finite; keeping (m − l_y) apart from
            // log Σ exp(l − m) avoids rounding a large m + log(...) before subtracting l_y.
            // The gradient row first holds exp(l − m), so each exponential is computed once.
            let g = gradient + row * classes
            var sum: Float = 0
            for j in 0..<classes {
                g[j] = Foundation.exp(l[j] - maximum)
                sum += g[j]
            }
            total += Foundation.log(sum) + (maximum - l[label])
            for j in 0..<classes {
                g[j] = gradientScale * (g[j] / sum - (j == label ? 1 : 0))
            }
        }
        return total
    }
}
