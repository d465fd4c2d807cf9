import Foundation

/// Softmax cross-entropy, PyTorch's `CrossEntropyLoss` with mean reduction, and its gradient.
public enum SoftmaxCrossEntropy {
    /// For each row b of `logits` [count, classes] with target y_b:
    ///   loss_b = log Σ_j exp(l_bj) − l_by   (computed as log Σ exp(l − m) + (m − l_by), m = max_j l_bj)
    ///   ∂loss_b/∂l_bj = softmax(l_b)_j − [j = y_b]
    /// Writes `gradientScale` · ∂loss_b/∂l_b into `gradient` (pass 1/batch for the mean over a
    /// batch that may be split across shards) and returns Σ_b loss_b, summed in row order.
    public static func lossSum(
        logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count: Int, classes: Int,
        gradientScale: Float, gradient: UnsafeMutablePointer<Float>
    ) -> Float {
        var total: Float = 0
        for row in 0..<count {
            let label = Int(labels[row])
            precondition(label >= 0 && label < classes, "label \(label) of sample \(row) outside 0..<\(classes)")
            let l = logits + row * classes
            var maximum = l[0]
            for j in 1..<max(classes, 1) { maximum = max(maximum, l[j]) }
            // Shifting by the maximum keeps exp() finite; keeping (m − l_y) apart from
            // log Σ exp(l − m) avoids rounding a large m + log(...) before subtracting l_y.
            var sum: Float = 0
            for j in 0..<classes { sum += Foundation.exp(l[j] - maximum) }
            total += Foundation.log(sum) + (maximum - l[label])
            let g = gradient + row * classes
            for j in 0..<classes {
                let probability = Foundation.exp(l[j] - maximum) / sum
                g[j] = gradientScale * (probability - (j == label ? 1 : 0))
            }
        }
        return total
    }
}
