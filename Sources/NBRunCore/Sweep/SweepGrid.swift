import Foundation

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
        let count = axes.reduce(1) { $0 * $1.values.count }
        guard count <= Self.maximumVariants else { throw .tooManyVariants(count, limit: Self.maximumVariants) }
        self.axes = axes
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
