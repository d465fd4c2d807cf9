import Foundation
@testable import NBRun
@testable import NBRunEngine
@testable import NBRunReport
import NBRunTestSupport
import Testing

/// The page's files: written on every run, failed ones included, copied only when they
/// changed, and never through a link or into a FIFO planted in the output folder.
@Suite("report.html's files", .serialized)
struct ReportAssetsTests {
    static let katex = ReportAssets.defaultKaTeXDirectory

    @Test func everyRunWritesThePageAndItsAssetsFailedRunsToo() throws {
        let notebook = try TestNotebook("""
            title: failing
            cells:
              - prose: "Math: $x^2$"
              - stage: fails
                kind: demo.fail
                parameters: {should-fail: true, message: "it broke"}
            """)
        let result = try notebook.run()
        #expect(result.exitCode == 1)
        let html = try String(contentsOf: notebook.output.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("<strong>This run failed</strong> at stage <a href=\"#stage-fails\"><code>fails</code></a>: <span class=\"message\">failure requested by parameter should-fail: it broke</span>"))
        let assets = notebook.output.appendingPathComponent("report-assets")
        for name in ["nbrun.css", "nbrun.js", "katex/katex.min.js", "katex/katex.min.css", "katex/fonts/KaTeX_Main-Regular.woff2"] {
            #expect(FileManager.default.fileExists(atPath: assets.appendingPathComponent(name).path), "\(name) missing: is libjs-katex installed?")
        }
        let copied = try Data(contentsOf: assets.appendingPathComponent("katex/katex.min.js"))
        #expect(copied == (try Data(contentsOf: Self.katex.appendingPathComponent("katex.min.js"))))
    }

    @Test func anInterruptedRunWritesThePageWithItsBanner() throws {
        let notebook = try TestNotebook("""
            title: slow
            cells:
              - stage: slow
                kind: demo.slow
                parameters: {steps: 2000, step-milliseconds: 1}
            """)
        let cancellation = notebook.cancellation
        Thread {
            Thread.sleep(forTimeInterval: 0.15)
            cancellation.cancel()
        }.start()
        let result = try notebook.run()
        #expect(result.exitCode == 130)
        let html = try String(contentsOf: notebook.output.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("<strong>This run was interrupted</strong> during stage <a href=\"#stage-slow\">"))
        #expect(html.contains("<span class=\"badge interrupted\">interrupted</span>"))
    }

    @Test func unchangedAssetsAreLeftAloneAndChangedOnesReplaced() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let css = notebook.output.appendingPathComponent("report-assets/nbrun.css")
        let font = notebook.output.appendingPathComponent("report-assets/katex/fonts/KaTeX_Main-Regular.woff2")
        let before = try FileManager.default.attributesOfItem(atPath: font.path)[.systemFileNumber] as? Int
        try Data("tampered".utf8).write(to: css)
        try notebook.run()
        let after = try FileManager.default.attributesOfItem(atPath: font.path)[.systemFileNumber] as? Int
        #expect(before != nil && before == after, "an unchanged font was rewritten")
        #expect(try String(contentsOf: css, encoding: .utf8) == ReportStylesheet.css)
    }

    /// A link in place of `report-assets` itself is refused before the run starts (the
    /// ownership checks, `HostileOutputTests`); links inside it are replaced, never followed.
    @Test func linksPlantedInTheAssetsFolderAreReplacedNotFollowed() throws {
        let notebook = try TestNotebook()
        let victim = notebook.folder.appendingPathComponent("victim", isDirectory: true)
        try FileManager.default.createDirectory(at: victim, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: victim.appendingPathComponent("nbrun.css"))
        try notebook.run()
        let assets = notebook.output.appendingPathComponent("report-assets")

        // A link where a file goes, and one where the KaTeX folder goes.
        let css = assets.appendingPathComponent("nbrun.css")
        try FileManager.default.removeItem(at: css)
        try FileManager.default.createSymbolicLink(at: css, withDestinationURL: victim.appendingPathComponent("nbrun.css"))
        let katexFolder = assets.appendingPathComponent("katex")
        try FileManager.default.removeItem(at: katexFolder)
        try FileManager.default.createSymbolicLink(at: katexFolder, withDestinationURL: victim)
        try notebook.run()
        #expect(try String(contentsOf: victim.appendingPathComponent("nbrun.css"), encoding: .utf8) == "keep")
        #expect(try FileManager.default.contentsOfDirectory(atPath: victim.path) == ["nbrun.css"])
        #expect(try String(contentsOf: css, encoding: .utf8) == ReportStylesheet.css)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: katexFolder.path)) == nil)
    }

    @Test func aFIFOWhereAnAssetGoesIsReplacedWithoutBlocking() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let script = notebook.output.appendingPathComponent("report-assets/nbrun.js")
        try FileManager.default.removeItem(at: script)
        #expect(mkfifo(script.path, 0o644) == 0)
        let result = try notebook.run()
        #expect(result.exitCode == 0)
        #expect(try String(contentsOf: script, encoding: .utf8) == ReportScript.javaScript)
    }

    @Test func withoutKaTeXTheReportIsStillWrittenWithANote() throws {
        let notebook = try TestNotebook()
        let manifest = try notebook.load()
        var writer = ReportWriter(manifest: manifest, registry: notebook.registry)
        writer.katexDirectory = notebook.folder.appendingPathComponent("no-katex-here")
        try FileManager.default.createDirectory(at: notebook.output, withIntermediateDirectories: true)
        let files = try writer.write(plans: [], outcomes: [:], to: notebook.output)
        #expect(files.html != nil)
        #expect(files.notes.contains { $0.contains("KaTeX is not installed") && $0.contains("libjs-katex") }, "\(files.notes)")
        #expect(FileManager.default.fileExists(atPath: notebook.output.appendingPathComponent("report.md").path))
        #expect(!FileManager.default.fileExists(atPath: notebook.output.appendingPathComponent("report-assets/katex").path))
    }

    @Test func aKaTeXInstallationThatIsNotRegularFilesIsRefusedNotRead() throws {
        let notebook = try TestNotebook()
        let fake = notebook.folder.appendingPathComponent("katex")
        try FileManager.default.createDirectory(at: fake.appendingPathComponent("fonts"), withIntermediateDirectories: true)
        #expect(mkfifo(fake.appendingPathComponent("katex.min.js").path, 0o644) == 0)
        var writer = ReportWriter(manifest: try notebook.load(), registry: notebook.registry)
        writer.katexDirectory = fake
        try FileManager.default.createDirectory(at: notebook.output, withIntermediateDirectories: true)
        let files = try writer.write(plans: [], outcomes: [:], to: notebook.output)
        #expect(files.html != nil)
        #expect(files.notes.contains { $0.contains("katex.min.js") && $0.contains("not a regular file") }, "\(files.notes)")
    }
}
