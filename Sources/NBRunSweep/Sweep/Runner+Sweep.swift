import AtomicFiles
import Foundation
import NBRunEngine

/// Draws the sweep chart into a PNG at the URL (the CLI passes one built on the Figures
/// module, which the runner core does not depend on).
public typealias SweepChartWriter = @Sendable (SweepChart, URL) throws -> Void

extension Runner {
    /// The stage of a sweep's `--metric stage.name`, refusing a malformed name or a stage the
    /// notebook lacks before anything runs (locally or on Slurm).
    static func metricStage(_ metric: String, stages: [String]) throws(SweepFailure) -> String {
        guard let dot = metric.firstIndex(of: "."), dot != metric.startIndex, metric.index(after: dot) != metric.endIndex else {
            throw .sweep(.invalidMetricName(metric))
        }
        let stage = String(metric[..<dot])
        guard stages.contains(stage) else { throw .run(.unknownStage(stage, known: stages)) }
        return stage
    }

    /// Refuses `metric` (`stage.name`) when `recorded`, the metrics of some variants of its
    /// stage, holds metrics but never that one. Nothing recorded yet proves nothing.
    static func refuseUnknownMetric(_ metric: String, stage: String, recorded: [[String: Double]]) throws(SweepFailure) {
        let known = Set(recorded.flatMap(\.keys)).sorted().map { "\(stage).\($0)" }
        guard !recorded.isEmpty, !known.contains(metric) else { return }
        throw .sweep(.unknownMetric(metric, known: known))
    }

    /// Refuses two values of one axis that parse to the same value (`7`, `07` and `+7` of an
    /// integer): as strings they differ, so the sweep would run one variant several times.
    static func refuseEqualValues(grid: SweepGrid, combinations: [[ParameterOverride]], manifests: [Manifest]) throws(SweepFailure) {
        for axis in grid.axes {
            var seen: [ParameterValue: String] = [:]
            for (combination, manifest) in zip(combinations, manifests) {
                guard let text = combination.first(where: { $0.stage == axis.stage && $0.parameter == axis.parameter })?.value,
                      let value = manifest.stages.first(where: { $0.name == axis.stage })?.parameters[axis.parameter] else { continue }
                if let earlier = seen[value], earlier != text {
                    throw .sweep(.invalidAxis(axis.description, reason: "'\(earlier)' and '\(text)' are the same value (\(value)); give it once"))
                }
                seen[value] = text
            }
        }
    }

    /// Every combination of `grid` applied to `manifest`, all before anything runs, so that a
    /// value of the wrong type stops the sweep at once.
    func variants(of manifest: Manifest, grid: SweepGrid) throws(SweepFailure) -> (combinations: [[ParameterOverride]], manifests: [Manifest]) {
        let combinations = grid.combinations
        var manifests: [Manifest] = []
        for combination in combinations {
            manifests.append(try SweepFailure.ofRun { () throws(RunError) in try variant(of: manifest, overrides: combination) })
        }
        try Self.refuseEqualValues(grid: grid, combinations: combinations, manifests: manifests)
        return (combinations, manifests)
    }

    /// Runs every combination of `grid` on `manifest` (loaded with the sweep's `--set`), one
    /// variant after the other, then writes `sweep.md` and the chart of `metric` (default: the
    /// first metric recorded, in stage order) next to the report. Stages shared by several
    /// variants are computed by the first and found in the variant cache by the others. A
    /// failing variant does not stop the sweep; Ctrl-C does.
    public func sweep(
        _ manifest: Manifest, grid: SweepGrid, metric: String?, options: RunOptions, chartWriter: SweepChartWriter?
    ) throws(SweepFailure) -> SweepResult {
        let (combinations, manifests) = try variants(of: manifest, grid: grid)
        if let metric {
            let stage = try Self.metricStage(metric, stages: manifests[0].stages.map(\.name))
            // What the stage's cached variants recorded tells a misspelt name before anything runs.
            let cache = ArtifactStore(for: manifests[0], options: options).cache
            let cached = cache.fingerprints(of: stage).compactMap { fingerprint -> [String: Double]? in
                if case .present(let record) = cache.loadVariant(stage, fingerprint: fingerprint) { record.metrics } else { nil }
            }
            try Self.refuseUnknownMetric(metric, stage: stage, recorded: cached)
        }
        let startedAt = Date()
        var variants: [SweepVariant] = []
        var exitCode: Int32 = 0
        for (index, (combination, manifest)) in zip(combinations, manifests).enumerated() {
            console.line("── sweep variant \(index + 1)/\(combinations.count): \(combination.map(\.description).joined(separator: " "))")
            let result = try SweepFailure.ofRun { () throws(RunError) in try run(manifest, options: options) }
            let records = result.outcomes.compactMapValues(\.usableRecord)
            let computed = result.executed.filter { if case .ranNow = result.outcomes[$0] { true } else { false } }
            variants.append(SweepVariant(overrides: combination, exitCode: result.exitCode, records: records, executed: computed))
            // Else the first variant that computed the stage tells, and the sweep stops there
            // rather than running every variant for a chart it cannot draw.
            if let metric, let stage = metric.split(separator: ".").first.map(String.init), let record = records[stage],
               (try? Self.refuseUnknownMetric(metric, stage: stage, recorded: [record.metrics ?? [:]])) == nil {
                console.line("nbrun: stopping the sweep after variant \(index + 1) of \(combinations.count): \(stage) did not record '\(metric)'")
                exitCode = 1
                break
            }
            if result.exitCode == 130 { exitCode = 130; break }
            if result.exitCode != 0 { exitCode = 1 }
        }
        var result = SweepResult(grid: grid, variants: variants, metric: nil, reportURL: nil, chartURL: nil, exitCode: exitCode)
        if options.dryRun { return result }

        let stageOrder = manifests[0].stages.map(\.name)
        let recorded = Set(variants.flatMap(\.metrics.keys)).sorted { a, b in
            let (stageA, stageB) = (String(a.prefix { $0 != "." }), String(b.prefix { $0 != "." }))
            let (orderA, orderB) = (stageOrder.firstIndex(of: stageA) ?? 0, stageOrder.firstIndex(of: stageB) ?? 0)
            return orderA != orderB ? orderA < orderB : a < b
        }
        result.metric = metric ?? recorded.first
        if let metric, !recorded.contains(metric) {
            console.line("nbrun: \(SweepError.unknownMetric(metric, known: recorded).description)")
            if result.exitCode == 0 { result.exitCode = 1 }
        }

        let store = ArtifactStore(for: manifests[0], options: options)
        // Waited for even under --no-wait, like a run's end: the variants are computed by now
        // and holders keep this lock briefly.
        var relock = options
        relock.waitForLock = true
        let lock = try SweepFailure.ofRun { () throws(RunError) in try lockForRun(manifests[0], store: store, options: relock) }
        defer { lock.release() }
        let chartURL = store.outputDirectory.appendingPathComponent(SweepReport.chartName)
        if let metric = result.metric, recorded.contains(metric), let chartWriter {
            do {
                try chartWriter(SweepChart(grid: grid, variants: variants, metric: metric), chartURL)
                result.chartURL = chartURL
            } catch {
                console.line("nbrun: the sweep chart could not be written: \(error)")
                if result.exitCode == 0 { result.exitCode = 1 }
            }
        }
        if result.chartURL == nil, let folder = Optional(open(store.outputDirectory.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)), folder >= 0 {
            // An earlier sweep's chart would not match this sweep's table.
            _ = NoFollowRemoval.unlinkFile(SweepReport.chartName, in: folder)
            close(folder)
        }
        let reportURL = store.outputDirectory.appendingPathComponent(SweepReport.fileName)
        let text = SweepReport.markdown(title: manifests[0].title, result: result, startedAt: startedAt)
        do { try AtomicFile.write(Data(text.utf8), to: reportURL) } catch { throw .storage(StorageError(error)) }
        result.reportURL = reportURL
        console.line("sweep report: \(reportURL.path)" + (result.chartURL.map { ", \($0.path)" } ?? ""))
        return result
    }
}
