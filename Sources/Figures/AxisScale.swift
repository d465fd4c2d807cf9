import Foundation

/// A linear axis whose ends and ticks fall on "nice" numbers (1, 2 or 5 × 10ⁿ), so that
/// tick labels read as round values.
struct AxisScale: Equatable {
    var lower: Double
    var upper: Double
    var step: Double
    /// Values are log10 of the data: ticks fall on whole decades and read as powers of ten.
    var isLogarithmic = false

    /// Covers `minimum...maximum` with about `targetTicks` intervals. A range of zero
    /// width is widened around its value so the data still lands mid-axis.
    init(minimum: Double, maximum: Double, targetTicks: Int = 5) {
        var low = minimum, high = maximum
        if !(low.isFinite && high.isFinite) { (low, high) = (0, 1) }
        if high < low { swap(&low, &high) }
        if high - low < 1e-12 * max(1, abs(high)) {
            let pad = abs(low) > 0 ? abs(low) * 0.1 : 1
            (low, high) = (low - pad, high + pad)
        }
        let rough = (high - low) / Double(max(1, targetTicks))
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        let residual = rough / magnitude
        let nice: Double = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10
        step = nice * magnitude
        lower = (low / step).rounded(.down) * step
        upper = (high / step).rounded(.up) * step
    }

    var ticks: [Double] {
        let count = Int(((upper - lower) / step).rounded())
        return (0...count).map { lower + Double($0) * step }
    }

    /// Decimals enough to tell neighbouring ticks apart, and no more.
    var decimals: Int { max(0, -Int(log10(step).rounded(.down))) }

    /// An axis over log10 of the data, from `minimum` to `maximum` in log10 units: its ticks
    /// are whole decades (every decade, or every second, fifth, … when there are many).
    init(logarithmicMinimum minimum: Double, maximum: Double, targetTicks: Int = 5) {
        var low = minimum, high = maximum
        if !(low.isFinite && high.isFinite) { (low, high) = (0, 1) }
        if high < low { swap(&low, &high) }
        self.init(minimum: low.rounded(.down), maximum: max(high.rounded(.up), low.rounded(.down) + 1),
                  targetTicks: targetTicks)
        step = max(1, step.rounded())
        lower = (lower / step).rounded(.down) * step
        upper = (upper / step).rounded(.up) * step
        isLogarithmic = true
    }

    func label(_ value: Double) -> String {
        if isLogarithmic {
            let exponent = Int(value.rounded())
            return exponent == 0 ? "1" : exponent == 1 ? "10" : "1e\(exponent)"
        }
        let cleaned = abs(value) < step * 1e-6 ? 0 : value
        return String(format: "%.\(decimals)f", cleaned)
    }

    /// Where `value` falls between the ends, 0 at `lower` and 1 at `upper`.
    func fraction(_ value: Double) -> Double { (value - lower) / (upper - lower) }
}
