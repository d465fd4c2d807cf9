import Foundation

/// An axis with its range and ticks decided, in the units it is drawn in (log10 of the
/// data on a logarithmic axis).
struct ResolvedAxis {
    var kind: AxisScaleKind
    var lower: Double
    var upper: Double
    var ticks: [Double]
    var labels: [StyledText]
    /// Unlabelled ticks between decades of a logarithmic axis.
    var minorTicks: [Double] = []
    /// Larger values lower on a y axis drawn downward (a heat map's rows, an image).
    var isReversed = false
    var isHidden = false

    /// The drawn value of a data value, nil when a log axis cannot show it.
    func transform(_ value: Double) -> Double? {
        guard value.isFinite else { return nil }
        if kind == .logarithmic { return value > 0 ? log10(value) : nil }
        return value
    }

    /// Where a drawn value falls, 0 at `lower` and 1 at `upper`.
    func fraction(_ value: Double) -> Double { upper == lower ? 0.5 : (value - lower) / (upper - lower) }

    /// The range of the data values an axis has to show, from the marks.
    static func dataRange(_ values: [Double], kind: AxisScaleKind) -> (Double, Double)? {
        var low = Double.infinity, high = -Double.infinity
        for value in values where value.isFinite && (kind == .linear || value > 0) {
            low = min(low, value)
            high = max(high, value)
        }
        return low <= high ? (low, high) : nil
    }

    /// Resolves `axis` for data spanning `range` (raw values) with about `targetTicks` ticks.
    static func resolve(_ axis: ChartAxis, range: (Double, Double)?, categories: [String]?, targetTicks: Int,
                        reversed: Bool) -> ResolvedAxis {
        if let names = axis.categories ?? categories, !names.isEmpty {
            let lower = min(-0.5, range?.0 ?? -0.5), upper = max(Double(names.count) - 0.5, range?.1 ?? 0)
            return ResolvedAxis(kind: .linear, lower: lower, upper: upper, ticks: names.indices.map(Double.init),
                                labels: names.map(StyledText.init), isReversed: reversed, isHidden: axis.isHidden)
        }
        switch axis.scale {
        case .linear:
            let (low, high) = axis.domain.map { ($0.lowerBound, $0.upperBound) } ?? range ?? (0, 1)
            let nice = AxisScale(minimum: low, maximum: high, targetTicks: max(1, targetTicks))
            var resolved = ResolvedAxis(kind: .linear, lower: nice.lower, upper: nice.upper, ticks: nice.ticks, labels: [],
                                        isReversed: reversed, isHidden: axis.isHidden)
            if let domain = axis.domain, domain.upperBound > domain.lowerBound {
                resolved.lower = domain.lowerBound
                resolved.upper = domain.upperBound
                resolved.ticks = nice.ticks.filter { $0 >= domain.lowerBound - nice.step * 1e-9 && $0 <= domain.upperBound + nice.step * 1e-9 }
            }
            resolved.labels = resolved.ticks.map { StyledText(linearLabel($0, step: nice.step)) }
            return resolved
        case .logarithmic:
            let raw = axis.domain.map { ($0.lowerBound, $0.upperBound) } ?? range ?? (1, 10)
            let low = raw.0 > 0 ? log10(raw.0) : 0, high = raw.1 > 0 ? log10(raw.1) : low + 1
            let nice = AxisScale(logarithmicMinimum: low, maximum: high, targetTicks: max(1, targetTicks))
            var minor: [Double] = []
            if nice.step == 1 {
                for decade in stride(from: nice.lower, to: nice.upper, by: 1) {
                    minor += (2...9).map { decade + log10(Double($0)) }
                }
            }
            return ResolvedAxis(kind: .logarithmic, lower: nice.lower, upper: nice.upper, ticks: nice.ticks,
                                labels: nice.ticks.map { StyledText(powerOfTenLabel(Int($0.rounded()))) },
                                minorTicks: minor, isReversed: reversed, isHidden: axis.isHidden)
        }
    }

    static let superscriptDigits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]

    /// "1", "10", "10²", "10⁻³": the exponent in the font's own superscript digits.
    static func powerOfTenLabel(_ exponent: Int) -> String {
        if exponent == 0 { return "1" }
        if exponent == 1 { return "10" }
        return "10" + superscript(exponent)
    }

    static func superscript(_ value: Int) -> String {
        (value < 0 ? "⁻" : "") + String(String(abs(value)).map { superscriptDigits[Int(String($0))!] })
    }

    /// A tick value with the decimals its step needs, a true minus sign, and powers of ten
    /// for values too large or steps too fine to write out ("2.5×10⁶").
    static func linearLabel(_ value: Double, step: Double) -> String {
        let stepExponent = Int(log10(step).rounded(.down))
        if abs(value) < step * 1e-6 { return stepExponent < 0 && stepExponent >= -4 ? "0." + String(repeating: "0", count: -stepExponent) : "0" }
        let text: String
        if abs(value) >= 1e6 || stepExponent < -4 {
            let exponent = Int(log10(abs(value)).rounded(.down))
            let mantissa = value / pow(10, Double(exponent))
            let decimals = max(0, min(4, exponent - stepExponent))
            var digits = String(format: "%.\(decimals)f", mantissa)
            if digits.contains(".") {
                while digits.hasSuffix("0") { digits.removeLast() }
                if digits.hasSuffix(".") { digits.removeLast() }
            }
            text = digits == "1" ? "10" + superscript(exponent) : digits == "-1" ? "-10" + superscript(exponent)
                : "\(digits)×10\(superscript(exponent))"
        } else {
            text = String(format: "%.\(max(0, -stepExponent))f", value)
        }
        return text.replacingOccurrences(of: "-", with: "−")
    }
}
