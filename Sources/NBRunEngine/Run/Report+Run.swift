import Foundation
import NBRunReport

/// A run's report: the notebook's cells in order, each stage as this run left it (its
/// outcome, or the earlier result the plan found).
extension Report {
    public init(manifest: Manifest, registry: StageRegistry, plans: [StagePlan], outcomes: [String: StageOutcome]) {
        self.init(title: manifest.title, blocks: manifest.cells.map { cell in
            switch cell {
            case .prose(let markdown):
                return .prose(markdown)
            case .code(let cell):
                return .code(reference: cell.reference, text: cell.text, fingerprint: cell.fingerprint)
            case .stage(let stage):
                let outcome = outcomes[stage.name]
                    ?? .notRun(reason: "not run", previous: plans.first { $0.stage.name == stage.name }?.freshness.record)
                return .stage(ReportStage(stage: stage, outcome: outcome, registry: registry))
            }
        })
    }
}

extension ReportStage {
    init(stage: StageCell, outcome: StageOutcome, registry: StageRegistry) {
        let state: State
        var partialOutput = ""
        let results: Results?
        switch outcome {
        case .ranNow(let record):
            state = .ranNow
            results = Results(record, isFromThisRun: true)
        case .cached(let record):
            state = .cached
            results = Results(record, isFromThisRun: true)
        case .failed(let error, let output, let previous):
            state = .failed(error: error)
            partialOutput = output
            results = previous.map { Results($0, isFromThisRun: false) }
        case .interrupted(let output, let previous):
            state = .interrupted
            partialOutput = output
            results = previous.map { Results($0, isFromThisRun: false) }
        case .notRun(let reason, let previous):
            state = .notRun(reason: reason)
            results = previous.map { Results($0, isFromThisRun: false) }
        }
        self.init(name: stage.name, kind: stage.kind, state: state,
                  source: registry[stage.kind].map { ReportStage.strippingImports($0.source) },
                  parameters: Self.shownParameters(of: stage, registry: registry), partialOutput: partialOutput, results: results)
    }

    /// Every declared parameter, in declaration order, with its source: a reader sees the
    /// whole configuration of the stage without looking up defaults elsewhere.
    static func shownParameters(of stage: StageCell, registry: StageRegistry) -> [Parameter] {
        guard let specs = registry[stage.kind]?.stageType.parameters else { return [] }
        return specs.compactMap { spec in
            guard let value = stage.parameters[spec.name] else { return nil }
            let source: Parameter.Source = stage.overriddenParameters.contains(spec.name) ? .commandLine
                : stage.manifestParameters.contains(spec.name) ? .manifest : .declaredDefault
            return Parameter(name: spec.name, value: value.description, source: source)
        }
    }
}

extension ReportStage.Results {
    /// What a stage record shows; `isFromThisRun` is false for an earlier run's result.
    init(_ record: StageRecord, isFromThisRun: Bool) {
        self.init(output: record.output, metrics: record.metrics ?? [:], figures: record.figures,
                  artifactNames: Set(record.artifacts.map(\.name)), startedAt: record.startedAt,
                  durationSeconds: record.durationSeconds, peakMemoryBytes: record.peakMemoryBytes,
                  isFromThisRun: isFromThisRun)
    }
}
