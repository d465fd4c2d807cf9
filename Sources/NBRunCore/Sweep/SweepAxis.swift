import Foundation

/// One `--sweep stage.parameter=v1,v2,…`: a parameter and the values a sweep gives it.
/// Repeated axes form a grid.
public struct SweepAxis: Sendable, Hashable, CustomStringConvertible {
    public var stage: String
    public var parameter: String
    public var values: [String]

    public init(stage: String, parameter: String, values: [String]) {
        self.stage = stage
        self.parameter = parameter
        self.values = values
    }

    /// Parses `stage.parameter=v1,v2,…`. Values are separated by commas; at least one, none
    /// empty, none repeated (a repeated value would run the same variant twice).
    public init(parsing text: String) throws(SweepError) {
        let override: ParameterOverride
        do { override = try ParameterOverride(parsing: text) } catch {
            throw .invalidAxis(text, reason: "expected STAGE.PARAMETER=V1,V2,…")
        }
        let values = override.value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        if values.contains(where: \.isEmpty) { throw .invalidAxis(text, reason: "a value is empty") }
        if let repeated = values.first(where: { value in values.filter { $0 == value }.count > 1 }) {
            throw .invalidAxis(text, reason: "value '\(repeated)' appears twice")
        }
        self.init(stage: override.stage, parameter: override.parameter, values: values)
    }

    /// `train.epochs`
    public var key: String { "\(stage).\(parameter)" }

    public var description: String { "\(key)=\(values.joined(separator: ","))" }
}

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
