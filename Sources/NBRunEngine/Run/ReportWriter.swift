import Foundation
import NBRunReport

/// A run's report, from its manifest, plans and outcomes, written as ``ReportFiles``. The
/// runner writes it after every run, failed and interrupted runs included.
public struct ReportWriter: Sendable {
    public let manifest: Manifest
    public let registry: StageRegistry
    /// Where Debian's libjs-katex puts KaTeX; tests point it elsewhere.
    public var katexDirectory: URL = ReportAssets.defaultKaTeXDirectory

    public init(manifest: Manifest, registry: StageRegistry) {
        self.manifest = manifest
        self.registry = registry
    }

    public func report(plans: [StagePlan], outcomes: [String: StageOutcome]) -> Report {
        Report(manifest: manifest, registry: registry, plans: plans, outcomes: outcomes)
    }

    /// `report.md`'s text.
    public func render(plans: [StagePlan], outcomes: [String: StageOutcome]) -> String {
        MarkdownReportRenderer.render(report(plans: plans, outcomes: outcomes))
    }

    /// Writes the report into `outputDirectory` (see ``ReportFiles/write(_:to:katexDirectory:)``).
    public func write(plans: [StagePlan], outcomes: [String: StageOutcome], to outputDirectory: URL) throws(ReportError) -> ReportFiles {
        try ReportFiles.write(report(plans: plans, outcomes: outcomes), to: outputDirectory, katexDirectory: katexDirectory)
    }
}
