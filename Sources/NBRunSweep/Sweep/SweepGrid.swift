import Foundation
import NBRunEngine

/// The grid of a sweep: every combination of its axes' values, the first axis varying slowest.
public struct SweepGrid: Sendable, Equatable {
    public var axes: [SweepAxis]

    /// Refuses a parameter swept twice, or swept and also set with `--set` (which would win
    /// silently in one place and not the other).
    public init(axes: [SweepAxis], fixed: [ParameterOverride] = []) throws(SweepError) {
        var seen: Set<String> = []
        for axis in axes {
            guard seen.insert(axis.key).inserted else { throw .repeatedAxis(axis.key) }
            if fixed.contains(where: { "\($0.stage).\($0.parameter)" == axis.key }) { throw .sweptAndSet(axis.key) }
        }
        guard !axes.isEmpty else { throw .noAxes }
        guard Self.variantCount(axes) != nil else {
            throw .tooManyVariants(axes.map { String($0.values.count) }.joined(separator: " × "), limit: Self.maximumVariants)
        }
        self.axes = axes
    }

    /// The number of combinations, or nil past ``maximumVariants``. Multiplied axis by axis
    /// and given up as soon as the limit is passed: ten axes of a hundred values would
    /// overflow `Int` before a final comparison could refuse them.
    static func variantCount(_ axes: [SweepAxis]) -> Int? {
        var count = 1
        for axis in axes {
            count *= axis.values.count
            if count > maximumVariants { return nil }
        }
        return count
    }

    /// A typo in a value list should not start a week of computing.
    public static let maximumVariants = 4096

    /// Each combination as the overrides that select it, in axis order.
    public var combinations: [[ParameterOverride]] {
        axes.reduce([[]]) { partial, axis in
            partial.flatMap { prefix in
                axis.values.map { prefix + [ParameterOverride(stage: axis.stage, parameter: axis.parameter, value: $0)] }
            }
        }
    }
}
