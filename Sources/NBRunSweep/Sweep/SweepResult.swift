import Foundation
import NBRunEngine

/// One variant of a sweep as it ended: the overrides that select it and, for each stage
/// that completed, the record of the result it used (computed now or from the cache).
public struct SweepVariant: Sendable {
    public var overrides: [ParameterOverride]
    public var exitCode: Int32
    public var records: [String: StageRecord]
    /// Stages computed for this variant; the others came from the cache (shared upstream
    /// stages are computed by the first variant that needs them and reused by the rest).
    /// A stage that started but failed or was interrupted is not among them.
    public var executed: [String]

    /// `stage.metric` → value, over every stage of the variant.
    public var metrics: [String: Double] {
        var result: [String: Double] = [:]
        for (stage, record) in records { for (name, value) in record.metrics ?? [:] { result["\(stage).\(name)"] = value } }
        return result
    }

    public func value(of axis: SweepAxis) -> String {
        overrides.first { $0.stage == axis.stage && $0.parameter == axis.parameter }?.value ?? ""
    }
}

/// What `Runner.sweep` did: every variant, the sweep report and its chart.
public struct SweepResult: Sendable {
    public var grid: SweepGrid
    public var variants: [SweepVariant]
    /// The metric charted (`stage.metric`), nil when no variant recorded one.
    public var metric: String?
    public var reportURL: URL?
    public var chartURL: URL?
    /// 0 when every variant completed, 130 when interrupted, 1 otherwise.
    public var exitCode: Int32
}

/// The points of the sweep chart: the metric against the first swept parameter, one line
/// per combination of the other swept parameters. Values of the first parameter that are
/// not all numbers are plotted at 1, 2, 3, … in the order given.
public struct SweepChart: Sendable, Equatable {
    public struct Series: Sendable, Equatable {
        public var name: String
        public var points: [(x: Double, y: Double)]

        public static func == (a: Series, b: Series) -> Bool {
            a.name == b.name && a.points.map(\.x) == b.points.map(\.x) && a.points.map(\.y) == b.points.map(\.y)
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]

    public init(grid: SweepGrid, variants: [SweepVariant], metric: String) {
        let first = grid.axes[0]
        let numeric = first.values.allSatisfy { Double($0) != nil }
        func x(_ value: String) -> Double {
            numeric ? Double(value)! : Double((first.values.firstIndex(of: value) ?? 0) + 1)
        }
        var series: [Series] = []
        for variant in variants {
            guard let y = variant.metrics[metric] else { continue }
            let name = grid.axes.dropFirst().map { "\($0.key)=\(variant.value(of: $0))" }.joined(separator: ", ")
            let point = (x: x(variant.value(of: first)), y: y)
            if let index = series.firstIndex(where: { $0.name == name }) {
                series[index].points.append(point)
            } else {
                series.append(Series(name: name.isEmpty ? metric : name, points: [point]))
            }
        }
        for index in series.indices { series[index].points.sort { $0.x < $1.x } }
        self.series = series
        self.title = "\(metric) by \(first.key)"
        self.xLabel = numeric ? first.key
            : first.key + ": " + first.values.enumerated().map { "\($0.offset + 1)=\($0.element)" }.joined(separator: " ")
        self.yLabel = metric
    }
}
