import Foundation
import NBRun

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

    /// What a completed run of the stage left to show: this run's, or an earlier one's when
    /// this run did not complete it (then it is stale, and marked so).
    public struct Results: Sendable {
        /// What the stage printed.
        public var output: String
        public var metrics: [String: Double]
        public var figures: [StageFigure]
        /// Every artifact the run kept: a figure with an SVG of the same name beside it is
        /// shown as that SVG on the page.
        public var artifactNames: Set<String>
        public var startedAt: Date
        public var durationSeconds: Double
        public var peakMemoryBytes: UInt64
        public var isFromThisRun: Bool

        public init(output: String, metrics: [String: Double], figures: [StageFigure], artifactNames: Set<String>,
                    startedAt: Date, durationSeconds: Double, peakMemoryBytes: UInt64, isFromThisRun: Bool) {
            self.output = output
            self.metrics = metrics
            self.figures = figures
            self.artifactNames = artifactNames
            self.startedAt = startedAt
            self.durationSeconds = durationSeconds
            self.peakMemoryBytes = peakMemoryBytes
            self.isFromThisRun = isFromThisRun
        }
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

    /// A stage's Swift source as the report shows it: without its imports.
    public static func strippingImports(_ source: String) -> String {
        source.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("import ") }
            .joined(separator: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The footer's words, shared by both renderers.
    public var footer: String {
        switch state {
        case .ranNow:
            guard let results else { return "Ran now" }
            return "Ran now · \(ReportFormat.duration(results.durationSeconds)) · peak memory \(ReportFormat.bytes(results.peakMemoryBytes))"
        case .cached:
            guard let results else { return "Cached" }
            return "Cached (from \(ReportFormat.isoDate(results.startedAt))) · ran in \(ReportFormat.duration(results.durationSeconds)) · peak memory \(ReportFormat.bytes(results.peakMemoryBytes))"
        case .failed:
            return "Failed in this run"
        case .interrupted:
            return "Interrupted in this run"
        case .notRun:
            guard let results else { return "Not run" }
            return "Not run now · result from an earlier run (\(ReportFormat.isoDate(results.startedAt))) · ran in \(ReportFormat.duration(results.durationSeconds)) · peak memory \(ReportFormat.bytes(results.peakMemoryBytes))"
        }
    }
}
