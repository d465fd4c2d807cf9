import AtomicFiles
import Foundation

/// `report.md` and `report.html` side by side, both rendered from one ``Report``, plus the
/// page's assets.
public struct ReportFiles: Sendable {
    public var markdown: URL
    /// nil when only the page could not be written; `notes` says why.
    public var html: URL?
    /// Anything the user should know about what was written (KaTeX missing).
    public var notes: [String]

    /// Writes `report.md`, the assets and `report.html` into `outputDirectory`, each
    /// atomically. The Markdown report comes first and is the one that must succeed; a
    /// page that cannot be written is a note, as are missing KaTeX files (the page is
    /// then written with its math as TeX source). `katexDirectory` is where Debian's
    /// libjs-katex puts KaTeX; tests point it elsewhere.
    public static func write(_ report: Report, to outputDirectory: URL,
                             katexDirectory: URL = ReportAssets.defaultKaTeXDirectory) throws(ReportError) -> ReportFiles {
        let markdownURL = outputDirectory.appendingPathComponent("report.md")
        do { try AtomicFile.write(Data(MarkdownReportRenderer.render(report).utf8), to: markdownURL) } catch {
            throw .cannotWrite(path: error.path, reason: error.reason)
        }
        var files = ReportFiles(markdown: markdownURL, html: nil, notes: [])
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
