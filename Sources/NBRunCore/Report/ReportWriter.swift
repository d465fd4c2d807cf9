import AtomicFiles
import Foundation

/// Writes a run's reports: `report.md` and `report.html` side by side, both rendered from
/// one `Report`, plus the page's assets. The runner calls it after every run, failed and
/// interrupted runs included.
public struct ReportWriter: Sendable {
    /// What was written, and anything the user should know about it (KaTeX missing).
    public struct Files: Sendable {
        public var markdown: URL
        /// nil when only the page could not be written; `notes` says why.
        public var html: URL?
        public var notes: [String]
    }

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

    /// Writes `report.md`, the assets and `report.html` into `outputDirectory`, each
    /// atomically. The Markdown report comes first and is the one that must succeed; a
    /// page that cannot be written is a note, as are missing KaTeX files (the page is
    /// then written with its math as TeX source).
    public func write(plans: [StagePlan], outcomes: [String: StageOutcome], to outputDirectory: URL) throws(ReportError) -> Files {
        let report = report(plans: plans, outcomes: outcomes)
        let markdownURL = outputDirectory.appendingPathComponent("report.md")
        do { try AtomicFile.write(Data(MarkdownReportRenderer.render(report).utf8), to: markdownURL) } catch {
            throw .cannotWrite(path: error.path, reason: error.reason)
        }
        var files = Files(markdown: markdownURL, html: nil, notes: [])
        var katexAvailable = false
        do {
            katexAvailable = try ReportAssets.install(into: outputDirectory, katexDirectory: katexDirectory)
            if !katexAvailable {
                files.notes.append("KaTeX is not installed (\(katexDirectory.path)); report.html shows math as TeX source. On Debian: apt-get install libjs-katex")
            }
        } catch {
            files.notes.append("report.html shows math as TeX source: \(error.description)")
        }
        let htmlURL = outputDirectory.appendingPathComponent("report.html")
        do {
            try AtomicFile.write(Data(HTMLReportRenderer.render(report, katexAvailable: katexAvailable).utf8), to: htmlURL)
            files.html = htmlURL
        } catch {
            files.notes.append(error.description)
        }
        return files
    }
}
