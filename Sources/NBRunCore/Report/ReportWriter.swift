import Foundation

/// Renders `report.md` from one `Report` built from the manifest, registry and outcomes.
public struct ReportWriter: Sendable {
    public let manifest: Manifest
    public let registry: StageRegistry

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

    // Formatting, kept here for the console's use.

    public static func isoDate(_ date: Date) -> String { ReportFormat.isoDate(date) }
    public static func formatDuration(_ seconds: Double) -> String { ReportFormat.duration(seconds) }
    public static func formatBytes(_ bytes: UInt64) -> String { ReportFormat.bytes(bytes) }
}
