import Foundation

/// Everything a report shows, gathered once from the manifest, the registry and the run's
/// outcomes. `report.md` and `report.html` are both rendered from this one value, so the
/// two can never disagree about what ran, what failed or which figures exist, and neither
/// renderer has to parse the other's output.
public struct Report: Sendable {
    public enum Block: Sendable {
        /// A prose cell's Markdown, as the manifest wrote it.
        case prose(String)
        /// Library code a `code:` cell brings in, as compiled.
        case code(reference: String, text: String, fingerprint: String)
        case stage(ReportStage)
    }

    public var title: String
    public var blocks: [Block]

    public var stages: [ReportStage] {
        blocks.compactMap { if case .stage(let stage) = $0 { stage } else { nil } }
    }

    /// The stages that failed or were interrupted, for the banner at the top of the page.
    public var problems: [ReportStage] {
        stages.filter { stage in
            switch stage.state {
            case .failed, .interrupted: true
            default: false
            }
        }
    }

    public init(title: String, blocks: [Block]) {
        self.title = title
        self.blocks = blocks
    }

    public init(manifest: Manifest, registry: StageRegistry, plans: [StagePlan], outcomes: [String: StageOutcome]) {
        title = manifest.title
        blocks = manifest.cells.map { cell in
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
        }
    }
}

/// One stage as the report shows it.
public struct ReportStage: Sendable {
    public enum State: Sendable {
        case ranNow
        case cached
        case failed(error: String)
        case interrupted
        /// Not run in this run; `reason` says why (not selected, an upstream failure).
        case notRun(reason: String)
    }

    /// One parameter of the stage as this run used it, and where its value came from.
    public struct Parameter: Sendable, Equatable {
        public enum Source: Sendable, Equatable {
            case manifest
            case commandLine
            case declaredDefault
        }

        public var name: String
        public var value: String
        public var source: Source

        public init(name: String, value: String, source: Source) {
            self.name = name
            self.value = value
            self.source = source
        }
    }

    /// The results of a completed run of the stage: this run's, or an earlier one's when
    /// this run did not complete it (then they are stale, and marked so).
    public struct Results: Sendable {
        public var record: StageRecord
        public var isFromThisRun: Bool
    }

    public var name: String
    public var kind: String
    public var state: State
    /// The stage's Swift source without its imports; nil when the registry has no such kind.
    public var source: String?
    public var parameters: [Parameter]
    /// What a failed or interrupted stage printed before it stopped.
    public var partialOutput: String
    public var results: Results?

    public init(name: String, kind: String, state: State, source: String?, parameters: [Parameter],
                partialOutput: String, results: Results?) {
        self.name = name
        self.kind = kind
        self.state = state
        self.source = source
        self.parameters = parameters
        self.partialOutput = partialOutput
        self.results = results
    }

    init(stage: StageCell, outcome: StageOutcome, registry: StageRegistry) {
        name = stage.name
        kind = stage.kind
        source = registry[stage.kind].map { Self.strippingImports($0.source) }
        parameters = Self.shownParameters(of: stage, registry: registry)
        partialOutput = ""
        switch outcome {
        case .ranNow(let record):
            state = .ranNow
            results = Results(record: record, isFromThisRun: true)
        case .cached(let record):
            state = .cached
            results = Results(record: record, isFromThisRun: true)
        case .failed(let error, let output, let previous):
            state = .failed(error: error)
            partialOutput = output
            results = previous.map { Results(record: $0, isFromThisRun: false) }
        case .interrupted(let output, let previous):
            state = .interrupted
            partialOutput = output
            results = previous.map { Results(record: $0, isFromThisRun: false) }
        case .notRun(let reason, let previous):
            state = .notRun(reason: reason)
            results = previous.map { Results(record: $0, isFromThisRun: false) }
        }
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

    static func strippingImports(_ source: String) -> String {
        source.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("import ") }
            .joined(separator: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The footer's words, shared by both renderers.
    public var footer: String {
        switch state {
        case .ranNow:
            guard let record = results?.record else { return "Ran now" }
            return "Ran now · \(ReportFormat.duration(record.durationSeconds)) · peak memory \(ReportFormat.bytes(record.peakMemoryBytes))"
        case .cached:
            guard let record = results?.record else { return "Cached" }
            return "Cached (from \(ReportFormat.isoDate(record.startedAt))) · ran in \(ReportFormat.duration(record.durationSeconds)) · peak memory \(ReportFormat.bytes(record.peakMemoryBytes))"
        case .failed:
            return "Failed in this run"
        case .interrupted:
            return "Interrupted in this run"
        case .notRun:
            guard let record = results?.record else { return "Not run" }
            return "Not run now · result from an earlier run (\(ReportFormat.isoDate(record.startedAt))) · ran in \(ReportFormat.duration(record.durationSeconds)) · peak memory \(ReportFormat.bytes(record.peakMemoryBytes))"
        }
    }
}
