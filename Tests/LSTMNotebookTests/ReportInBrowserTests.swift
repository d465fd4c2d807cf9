import BrowserTestSupport
import Foundation
import LSTMNotebook
import NBRunEngine
import Testing

/// `report.html` opened in a real browser: headless Chromium (Debian's `chromium`, which
/// Scripts/test installs), driven over the DevTools pipe. Without Chromium these tests
/// fail with a message saying so; they never pass without having looked at the page.
/// Screenshots go to `.build/test-artifacts/`.
@Suite(.serialized)
struct ReportInBrowserTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let artifacts = repository.appendingPathComponent(".build/test-artifacts", isDirectory: true)
    /// Smaller still than the end-to-end test's slice: the page, not the accuracy, is under test.
    static let tinySlice = [
        "load-data.train-limit=256", "load-data.test-limit=128",
        "build-model.hidden-size=8", "train.epochs=1", "train.learning-rate=0.01",
    ]

    let scratch: URL
    let runner: Runner

    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nbrun-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        runner = Runner(registry: try StageRegistry(plugins: [LSTMNotebookPlugin()]), console: .recording())
    }

    func run(_ manifestURL: URL, settings: [String], output: URL) throws -> RunResult {
        let manifest = try runner.loadManifest(manifestURL, overrides: settings.map { try ParameterOverride(parsing: $0) })
        var options = RunOptions()
        options.outputDirectory = output
        options.threadCount = 2
        return try runner.run(manifest, options: options)
    }

    func save(_ png: Data, as name: String) throws -> URL {
        try FileManager.default.createDirectory(at: Self.artifacts, withIntermediateDirectories: true)
        let url = Self.artifacts.appendingPathComponent(name)
        try png.write(to: url)
        print("screenshot: \(url.path)")
        return url
    }

    @Test func theLSTMNotebooksPageRendersFromACopiedFolder() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let output = scratch.appendingPathComponent("written")
        let result = try run(NotebookEndToEndTests.manifestURL, settings: Self.tinySlice, output: output)
        #expect(result.exitCode == 0)

        // Portable: move the folder elsewhere (as an unzipped attachment would be), then
        // check the page refers to nothing outside it and open the copy, not the original.
        let moved = scratch.appendingPathComponent("elsewhere/LSTM report")
        try FileManager.default.createDirectory(at: moved.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: output, to: moved)
        try FileManager.default.removeItem(at: output)
        let page = moved.appendingPathComponent("report.html")
        let html = try String(contentsOf: page, encoding: .utf8)
        for forbidden in ["file://", "http://", "https://", scratch.path, Self.repository.path, "/usr/share"] {
            #expect(!html.contains(forbidden), "report.html refers to \(forbidden)")
        }
        for reference in Self.references(in: html) {
            #expect(!reference.hasPrefix("/") && !reference.contains(":"), "report.html refers to \(reference)")
        }
        for asset in ["katex/katex.min.js", "katex/katex.min.css", "katex/fonts/KaTeX_Main-Regular.woff2", "nbrun.css", "nbrun.js"] {
            #expect(FileManager.default.fileExists(atPath: moved.appendingPathComponent("report-assets/\(asset)").path), "\(asset) was not copied")
        }

        let browser = try DevToolsPipe()
        defer { browser.quit() }
        let tab = try BrowserPage(browser: browser)
        try tab.open(page)

        #expect(tab.errors.isEmpty, "the console shows errors: \(tab.errors)")
        let images = try #require(try tab.evaluate("Array.from(document.images, i => [i.getAttribute('src'), i.naturalWidth])") as? [[Any]])
        #expect(images.count == 5, "expected the five figures, found \(images)")
        for image in images {
            #expect((image[1] as? Int ?? 0) > 0, "\(image[0]) did not load")
        }
        let math = try #require(try tab.evaluate("""
            ({ elements: document.querySelectorAll('.math').length,
               typeset: document.querySelectorAll('.math .katex').length,
               display: document.querySelectorAll('.katex-display').length,
               rawDollars: document.body.innerText.includes('$$'),
               errors: document.querySelectorAll('.katex-error, .math-error').length,
               fonts: Array.from(document.fonts).filter(f => f.family.includes('KaTeX') && f.status === 'loaded').length })
            """) as? [String: Any])
        let elements = math["elements"] as? Int ?? 0
        #expect(elements >= 20, "\(math)")
        #expect(math["typeset"] as? Int == elements, "not every math element was typeset: \(math)")
        #expect((math["display"] as? Int ?? 0) >= 6, "\(math)")
        #expect(math["rawDollars"] as? Bool == false, "raw $$ left in the page")
        #expect(math["errors"] as? Int == 0, "\(math)")
        #expect((math["fonts"] as? Int ?? 0) > 0, "KaTeX's fonts did not load: \(math)")

        let structure = try #require(try tab.evaluate("""
            ({ stages: Array.from(document.querySelectorAll('section.stage'), s => s.id),
               contents: Array.from(document.querySelectorAll('nav.toc a'), a => a.getAttribute('href')),
               highlighted: document.querySelectorAll('pre.code .kw').length,
               footers: Array.from(document.querySelectorAll('section.stage .footer'), f => f.innerText),
               outputs: Array.from(document.querySelectorAll('pre.output'), p => p.innerText).join('\\n'),
               banners: document.querySelectorAll('.banner').length })
            """) as? [String: Any])
        let stages = structure["stages"] as? [String] ?? []
        #expect(stages == ["load-data", "visualize-batch", "build-model", "train", "test", "predict"].map { "stage-\($0)" })
        let contents = structure["contents"] as? [String] ?? []
        for stage in stages { #expect(contents.contains("#\(stage)"), "the contents do not link to \(stage)") }
        #expect(contents.contains("#the-cell-equation-by-equation"), "\(contents)")
        #expect((structure["highlighted"] as? Int ?? 0) > 50)
        let footers = structure["footers"] as? [String] ?? []
        #expect(footers.count == 6 && footers.allSatisfy { $0.hasPrefix("Ran now · ") && $0.contains("peak memory") }, "\(footers)")
        #expect((structure["outputs"] as? String ?? "").contains("Epoch 1/1, Loss: "))
        #expect(structure["banners"] as? Int == 0)

        _ = try save(try tab.screenshot(clip: (0, 0, 1280, 1000)), as: "report-top.png")
        let trainTop = try #require(try tab.evaluate("document.getElementById('stage-train').getBoundingClientRect().top + window.scrollY") as? Double)
        _ = try save(try tab.screenshot(clip: (0, max(0, trainTop - 140), 1280, 1000)), as: "report-train.png")
        let testTop = try #require(try tab.evaluate("document.getElementById('stage-test').getBoundingClientRect().top + window.scrollY") as? Double)
        _ = try save(try tab.screenshot(clip: (0, max(0, testTop - 20), 1280, 1200)), as: "report-test.png")
        _ = try save(try tab.screenshot(), as: "report-full.png")
    }

    /// Every `src` and `href` value in the page.
    static func references(in html: String) -> [String] {
        var found: [String] = []
        for attribute in ["src=\"", "href=\""] {
            var rest = html[...]
            while let start = rest.range(of: attribute) {
                rest = rest[start.upperBound...]
                guard let end = rest.firstIndex(of: "\"") else { break }
                found.append(String(rest[..<end]))
                rest = rest[end...]
            }
        }
        return found
    }

    @Test func aFailedRunShowsTheBannerAndNoHostileTextRuns() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        // A weights file whose name is markup; it is not a safetensors file, so build-model
        // fails with an error that names it, and its name is also a parameter value.
        let hostileName = "<img src=x onerror=\"window.__nbrunInjected='weights'\">.safetensors"
        let weights = scratch.appendingPathComponent(hostileName)
        try Data("not a safetensors file".utf8).write(to: weights)
        let data = Self.repository.appendingPathComponent("Notebooks/data/mnist").path
        let manifest = scratch.appendingPathComponent("Hostile.manifest")
        try Data("""
            title: "Hostile <script>window.__nbrunInjected = 'title'</script>"
            cells:
              - prose: |
                  <script>window.__nbrunInjected = 'prose script'</script>

                  <img src=x onerror="window.__nbrunInjected = 'prose img'"> and [a link](javascript:window.__nbrunInjected='link')
                  and [another](JaVaScRiPt:alert(1)) and ![an image](data:image/png;base64,AAAA) and
                  `</code><script>window.__nbrunInjected='code'</script>` and &x<img/src=x/onerror=window.__nbrunInjected='entity'>;

                  Math stays math: $a_1 < b$ and $$\\href{javascript:alert(1)}{x}$$
              - stage: load-data
                kind: lstm.load-data
                parameters: {data: "\(data)", train-limit: 64, test-limit: 32}
              - stage: build-model
                kind: lstm.build-model
                reads: [load-data]
                parameters: {hidden-size: 4}
            """.utf8).write(to: manifest)
        let output = scratch.appendingPathComponent("out")
        let result = try run(manifest, settings: ["build-model.weights=\(weights.path)"], output: output)
        #expect(result.exitCode != 0)
        let html = try String(contentsOf: output.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(!html.contains("<img src=x"), "raw markup reached the page")

        let browser = try DevToolsPipe()
        defer { browser.quit() }
        let tab = try BrowserPage(browser: browser)
        try tab.open(output.appendingPathComponent("report.html"))
        #expect(tab.errors.isEmpty, "the console shows errors: \(tab.errors)")
        let state = try #require(try tab.evaluate("""
            ({ injected: window.__nbrunInjected === undefined ? null : String(window.__nbrunInjected),
               scripts: Array.from(document.scripts, s => s.getAttribute('src')),
               images: document.images.length,
               handlers: Array.from(document.querySelectorAll('*')).filter(e => Array.from(e.attributes).some(a => a.name.startsWith('on'))).length,
               scriptLinks: Array.from(document.links).filter(a => !/^(#|[a-z-]+\\/|[a-z-]+\\.)/.test(a.getAttribute('href'))).map(a => a.getAttribute('href')),
               banner: (document.querySelector('main > .banner.failed') || {}).innerText || null,
               bannerHeight: document.querySelector('main > .banner.failed') ? document.querySelector('main > .banner.failed').getBoundingClientRect().height : 0,
               stageBanner: (document.querySelector('#stage-build-model .banner.failed') || {}).innerText || null,
               typeset: document.querySelectorAll('.math .katex').length,
               title: document.title })
            """) as? [String: Any])
        #expect(state["injected"] is NSNull, "injected script ran: \(state["injected"] ?? "")")
        #expect(state["scripts"] as? [String] == ["report-assets/katex/katex.min.js", "report-assets/nbrun.js"])
        #expect(state["images"] as? Int == 0)
        #expect(state["handlers"] as? Int == 0)
        #expect((state["scriptLinks"] as? [String])?.isEmpty == true, "\(state["scriptLinks"] ?? "")")
        let banner = state["banner"] as? String ?? ""
        #expect(banner.contains("This run failed") && banner.contains("build-model") && banner.contains(hostileName), "\(banner)")
        #expect((state["bannerHeight"] as? Double ?? 0) > 10)
        #expect((state["stageBanner"] as? String)?.contains("This stage failed") == true)
        #expect(state["typeset"] as? Int == 2)
        #expect((state["title"] as? String)?.contains("<script>") == true, "the title is shown as text")
        _ = try save(try tab.screenshot(clip: (0, 0, 1280, 900)), as: "report-failed.png")
    }
}
