import BrowserTestSupport
import Foundation
import Testing

/// `nbrun watch` on a copy of the demo notebook, with headless Chromium showing the served
/// page: saves reach the page with no reload, and everything stops on Ctrl-C.
@Suite("nbrun watch: the live page in a real browser", .serialized)
struct LivePageInBrowserTests {
    /// The text of the page's `main`, as the reader sees it.
    static let mainText = "document.querySelector('main') ? document.querySelector('main').innerText : ''"

    @Test func editsReachTheOpenPagesInPlace() throws {
        let notebook = try WatchedNotebook()
        try notebook.start()
        try notebook.waitFor("report:", in: .stdout, seconds: 180)
        let browser = try DevToolsPipe()
        defer { browser.quit() }
        let page = try BrowserPage(browser: browser, width: 1000, height: 500)
        let second = try BrowserPage(browser: browser, width: 1000, height: 500)
        let address = try #require(URL(string: notebook.url))
        try page.open(address)
        try second.open(address)
        try notebook.waitUntil("the pages to connect") { try notebook.stderr.contains("watching with") && (page.evaluate("document.getElementById('nbrun-live') ? document.getElementById('nbrun-live').className : ''") as? String) == "idle" }
        // A marker that a reload would lose, and a scroll position it would reset.
        _ = try page.evaluate("(window.nbrunTestMarker = 42, window.scrollTo(0, 400), window.scrollY)")
        let scrolled = try #require(try page.evaluate("window.scrollY") as? Double)

        // A prose edit: the new text appears, with no reload, the scroll position kept and the cell flashed.
        try notebook.save("Demo.manifest") { $0.replacingOccurrences(of: "The histogram below is a PNG", with: "The histogram below, redrawn, is a PNG") }
        for each in [page, second] {
            try notebook.waitUntil("the prose edit on the page") { (try each.evaluate(Self.mainText) as? String)?.contains("redrawn") == true }
        }
        #expect(try page.evaluate("window.nbrunTestMarker") as? Int == 42, "the page was reloaded")
        #expect(abs((try page.evaluate("window.scrollY") as? Double ?? 0) - scrolled) < 2, "the scroll position moved")
        // Only the edited cell flashes: the cached stages' sections are the nodes they were.
        let flashed = try page.evaluate("Array.from(document.querySelectorAll('.nbrun-changed')).map(e => e.className + ':' + e.innerText.slice(0, 200))") as? [String] ?? []
        #expect(flashed.count == 1 && flashed.first?.hasPrefix("prose") == true && flashed.first?.contains("redrawn") == true, "\(flashed)")
        #expect(page.errors.isEmpty, "\(page.errors)")

        // A one-line stage edit: only that stage runs, and the page shows its new output.
        let runsBefore = notebook.runsStarted
        let outputBefore = notebook.stdout.count
        try notebook.save("Demo/Stages/Summarize.swift") { $0.replacingOccurrences(of: "context.print(\"mean: ", with: "context.print(\"average: ") }
        try notebook.waitUntil("the stage edit on the page", seconds: 120) { (try page.evaluate(Self.mainText) as? String)?.contains("average: ") == true }
        try notebook.waitUntil("the second page") { (try second.evaluate(Self.mainText) as? String)?.contains("average: ") == true }
        let ran = notebook.stdout.dropFirst(outputBefore).split(separator: "\n").filter { $0.hasPrefix("▶ ") }
        #expect(ran.map { $0.split(separator: " ")[1] } == ["summarize"], "\(ran)")
        #expect(notebook.runsStarted == runsBefore + 1)

        // A compile error is shown at its cell, with its file and line; fixing it clears it.
        try notebook.save("Demo/Stages/Summarize.swift") { $0.replacingOccurrences(of: "let sum = squares.reduce(0, +)", with: "let sum = squares.reduce(0, +) +") }
        try notebook.waitUntil("the compile error on the page", seconds: 120) {
            (try page.evaluate("Array.from(document.querySelectorAll('section.stage.failed')).map(s => s.innerText).join('\\n')") as? String)?
                .contains("Summarize.swift:") == true
        }
        // The earlier result stays on the page, marked stale.
        let failed = try page.evaluate("document.querySelector('section.stage.failed').innerText") as? String ?? ""
        #expect(failed.contains("average: ") && failed.contains("from an earlier run"), "\(failed)")
        #expect(try page.evaluate("document.querySelectorAll('section.stage.failed .results.stale').length") as? Int == 1)
        try notebook.save("Demo/Stages/Summarize.swift") { $0.replacingOccurrences(of: "let sum = squares.reduce(0, +) +", with: "let sum = squares.reduce(0, +)") }
        try notebook.waitUntil("the fix on the page", seconds: 120) {
            try (page.evaluate("document.querySelectorAll('section.stage.failed').length") as? Int) == 0
                && (page.evaluate(Self.mainText) as? String)?.contains("average: ") == true
        }
        #expect(try page.evaluate("window.nbrunTestMarker") as? Int == 42, "the page was reloaded")

        // A burst of 20 saves within 100 ms gives one run.
        try notebook.waitUntil("the watcher to be idle") { (try page.evaluate("document.getElementById('nbrun-live').className") as? String) == "idle" }
        let beforeBurst = notebook.runsStarted
        for index in 0..<20 {
            try notebook.save("Demo.manifest") { text in
                let cut = text.components(separatedBy: "\n# burst").first ?? text
                return cut + "\n# burst \(index)\n"
            }
            usleep(5_000)
        }
        try notebook.waitUntil("a run after the burst") { notebook.runsStarted > beforeBurst }
        try notebook.waitUntil("the watcher to be idle again") { (try page.evaluate("document.getElementById('nbrun-live').className") as? String) == "idle" }
        sleep(1)
        #expect(notebook.runsStarted == beforeBurst + 1, "\(notebook.stderr)")
        #expect(page.errors.isEmpty && second.errors.isEmpty, "\(page.errors) \(second.errors)")

        // Ctrl-C ends the watcher and frees its port.
        let status = try notebook.interrupt()
        #expect(status == 130)
        let port = try #require(UInt16(notebook.url.split(separator: ":").last?.trimmingCharacters(in: CharacterSet(charactersIn: "/")) ?? ""))
        #expect(canBind(port: port), "port \(port) is still taken")
    }

    @Test func aSaveDuringARunStopsTheStageOnlyWhenItMadeItStale() throws {
        let notebook = try WatchedNotebook(manifest: """
            title: slow
            cells:
              - prose: A slow cell follows.
              - stage: slow
                kind: demo.slow
                parameters: {steps: 400, step-milliseconds: 50}
            """)
        try notebook.start()
        let browser = try DevToolsPipe()
        defer { browser.quit() }
        let page = try BrowserPage(browser: browser, width: 1000, height: 600)
        try page.open(try #require(URL(string: notebook.url)))
        // The page shows the running stage and its progress, as the terminal does.
        try notebook.waitUntil("the progress on the page", seconds: 180) {
            (try page.evaluate("document.getElementById('nbrun-live') ? document.getElementById('nbrun-live').textContent : ''") as? String)?
                .contains("Running slow: slow: ") == true
        }
        // A prose save does not make `slow` stale: the run goes on, and the next one waits for it.
        try notebook.save("Demo.manifest") { $0.replacingOccurrences(of: "A slow cell follows.", with: "A slow cell comes next.") }
        sleep(3)
        #expect(!notebook.stderr.contains("stale: stopping it"), "\(notebook.stderr)")
        #expect(notebook.runsStarted == 1)
        // A parameter save does: the stage stops as Ctrl-C stops it, and the next run starts at once.
        try notebook.save("Demo.manifest") { $0.replacingOccurrences(of: "steps: 400", with: "steps: 30") }
        try notebook.waitFor("a save made the running stage slow stale: stopping it", in: .stderr, seconds: 60)
        try notebook.waitUntil("the restarted run's result on the page", seconds: 120) {
            (try page.evaluate(Self.mainText) as? String)?.contains("waited 30 steps") == true
        }
        #expect((try page.evaluate(Self.mainText) as? String)?.contains("A slow cell comes next.") == true)
        #expect(notebook.runsStarted == 2, "\(notebook.stderr)")

        // Ctrl-C during a run: the watcher, the run and its worker all end.
        try notebook.save("Demo.manifest") { $0.replacingOccurrences(of: "steps: 30", with: "steps: 600") }
        try notebook.waitUntil("the third run's stage", seconds: 60) {
            (try page.evaluate("document.getElementById('nbrun-live').textContent") as? String)?.contains("Running slow: slow: ") == true
        }
        let process = try #require(notebook.process)
        let below = descendants(of: process.processIdentifier)
        #expect(below.count >= 2, "the run and its worker: \(below)")
        #expect(try notebook.interrupt() == 130)
        try notebook.waitUntil("every process below the watcher to end", seconds: 30) { below.allSatisfy { !isAlive($0) } }
        // The stopped stage kept nothing: the folder shows the last complete result.
        let kept = try String(contentsOf: notebook.folder.appendingPathComponent("output/Demo/slow/steps.txt"), encoding: .utf8)
        #expect(kept == "30\n", "a stopped stage left a result")
    }

    @Test func anInvalidOrDeletedManifestIsShownAndTheWatcherGoesOn() throws {
        let notebook = try WatchedNotebook()
        try notebook.start()
        try notebook.waitFor("report:", in: .stdout, seconds: 180)
        let browser = try DevToolsPipe()
        defer { browser.quit() }
        let page = try BrowserPage(browser: browser)
        try page.open(try #require(URL(string: notebook.url)))
        let bar = "document.getElementById('nbrun-live') ? document.getElementById('nbrun-live').innerText : ''"
        try notebook.save("Demo.manifest") { $0.replacingOccurrences(of: "kind: demo.square", with: "kind: demo.squares") }
        try notebook.waitUntil("the manifest error on the page") {
            let text = try page.evaluate(bar) as? String ?? ""
            return text.contains("Demo.manifest:") && text.contains("demo.squares")
        }
        // The last report stays on the page.
        #expect((try page.evaluate(Self.mainText) as? String)?.contains("sum of squares") == true)
        try notebook.save("Demo.manifest") { $0.replacingOccurrences(of: "kind: demo.squares", with: "kind: demo.square") }
        try notebook.waitUntil("the error to clear") { (try page.evaluate("document.getElementById('nbrun-live').className") as? String) == "idle" }

        // The manifest deleted, then put back.
        let text = try String(contentsOf: notebook.manifest, encoding: .utf8)
        try FileManager.default.removeItem(at: notebook.manifest)
        try notebook.waitUntil("the missing manifest on the page") { (try page.evaluate(bar) as? String ?? "").contains("Demo.manifest") }
        #expect(notebook.process?.isRunning == true)
        try text.replacingOccurrences(of: "sum of squares", with: "total of squares").write(to: notebook.manifest, atomically: true, encoding: .utf8)
        try notebook.waitUntil("the restored notebook on the page", seconds: 60) { (try page.evaluate(Self.mainText) as? String)?.contains("total of squares") == true }
        #expect(page.errors.isEmpty, "\(page.errors)")
        #expect(try notebook.interrupt() == 130)
    }

    @Test func aDataSaveRerunsItsStageAndAFailingStageIsShownAtItsCell() throws {
        let notebook = try WatchedNotebook(manifest: """
            title: data and failure
            cells:
              - stage: words
                kind: demo.count-words
                parameters: {text: data/demo/words.txt}
              - stage: fail
                kind: demo.fail
                parameters: {should-fail: false}
            """)
        try notebook.start()
        try notebook.waitFor("report:", in: .stdout, seconds: 180)
        let browser = try DevToolsPipe()
        defer { browser.quit() }
        let page = try BrowserPage(browser: browser)
        try page.open(try #require(URL(string: notebook.url)))
        // A file a path parameter names: its stage reruns, and only it.
        let before = notebook.stdout.count
        try notebook.save("data/demo/words.txt") { $0 + "Three more words.\n" }
        try notebook.waitUntil("the new count on the page", seconds: 60) { (try page.evaluate(Self.mainText) as? String)?.contains("words.txt: 24 words") == true }
        let ran = notebook.stdout.dropFirst(before).split(separator: "\n").filter { $0.hasPrefix("▶ ") }
        #expect(ran.map { $0.split(separator: " ")[1] } == ["words"], "\(ran)")
        // A stage that throws: its error at its cell, the last result kept below it.
        try notebook.save("Demo.manifest") { $0.replacingOccurrences(of: "should-fail: false", with: "should-fail: true, message: planted failure") }
        try notebook.waitUntil("the failure on the page", seconds: 60) {
            (try page.evaluate("Array.from(document.querySelectorAll('section.stage.failed')).map(s => s.innerText).join()") as? String)?.contains("planted failure") == true
        }
        let failed = try page.evaluate("document.querySelector('section.stage.failed').innerText") as? String ?? ""
        #expect(failed.contains("did not fail") && failed.contains("from an earlier run"), "\(failed)")
        #expect(try page.evaluate("document.getElementById('nbrun-live').className") as? String == "failed")
        #expect(page.errors.isEmpty, "\(page.errors)")
        #expect(try notebook.interrupt() == 130)
    }

    @Test func aStageMarkedManualIsLeftStaleWithItsCommand() throws {
        let notebook = try WatchedNotebook(manifest: """
            title: manual
            cells:
              - stage: generate
                kind: demo.generate
                parameters: {seed: 7, count: 20}
                watch: manual
              - stage: square
                kind: demo.square
                reads: [generate]
            """)
        try notebook.start()
        try notebook.waitFor("report:", in: .stdout, seconds: 180)
        let browser = try DevToolsPipe()
        defer { browser.quit() }
        let page = try BrowserPage(browser: browser)
        try page.open(try #require(URL(string: notebook.url)))
        try notebook.save("Demo.manifest") { $0.replacingOccurrences(of: "count: 20", with: "count: 30") }
        try notebook.waitUntil("the manual stage's command on the page", seconds: 60) {
            (try page.evaluate(Self.mainText) as? String)?.contains("run it with nbrun Demo.manifest --stage generate") == true
        }
        let text = try page.evaluate(Self.mainText) as? String ?? ""
        #expect(text.contains("marked `watch: manual`"), "\(text)")
        #expect(text.contains("upstream stage generate did not complete"), "\(text)")
        // The first run computed it (it had never run); the save did not.
        #expect(notebook.stdout.components(separatedBy: "▶ generate").count == 2, "\(notebook.stdout)")
        // The command, run by hand, brings the page up to date without a run of the watcher's.
        let runs = notebook.runsStarted
        let binary = try #require(WatchedNotebook.binary)
        let manual = Process()
        manual.executableURL = binary
        manual.arguments = ["Demo.manifest", "--stage", "generate"]
        manual.currentDirectoryURL = notebook.folder
        var environment = ProcessInfo.processInfo.environment
        environment["NBRUN_USES"] = nil
        environment["NBRUN_PLUGIN_CACHE"] = WatchedNotebook.repository.appendingPathComponent(".build/test-plugins").path
        manual.environment = environment
        manual.standardOutput = FileHandle.nullDevice
        try manual.run()
        manual.waitUntilExit()
        #expect(manual.terminationStatus == 0)
        try notebook.waitUntil("the manual run's report on the page", seconds: 30) {
            (try page.evaluate(Self.mainText) as? String)?.contains("generated 30 numbers") == true
        }
        #expect(notebook.runsStarted == runs)
        #expect(try notebook.interrupt() == 130)
    }

    @Test func twoWatchersOfOneNotebookServeOnTwoPortsAndBothUpdate() throws {
        let notebook = try WatchedNotebook()
        try notebook.start([])
        try notebook.waitFor("report:", in: .stdout, seconds: 180)
        let second = WatchedNotebook(sharing: notebook, name: "second")
        try second.start([])
        let firstPort = notebook.url, secondPort = second.url
        #expect(!secondPort.isEmpty && secondPort != firstPort, "\(second.stderr)")
        #expect(second.stderr.contains("is in use; serving on"), "\(second.stderr)")
        // A port given with --port that is taken is an error, not another port.
        let taken = try #require(UInt16(firstPort.split(separator: ":").last?.trimmingCharacters(in: CharacterSet(charactersIn: "/")) ?? ""))
        let third = WatchedNotebook(sharing: notebook, name: "third")
        try third.start(["--port", String(taken)])
        try third.waitUntil("the third watcher to give up", seconds: 30) { third.process?.isRunning == false }
        #expect(third.process?.terminationStatus == 1)
        #expect(third.stderr.contains("port \(taken) on 127.0.0.1 is in use"), "\(third.stderr)")

        let browser = try DevToolsPipe()
        defer { browser.quit() }
        let pages = try [firstPort, secondPort].map { address in
            let page = try BrowserPage(browser: browser)
            try page.open(try #require(URL(string: address)))
            return page
        }
        try notebook.save("Demo.manifest") { $0.replacingOccurrences(of: "The histogram below is a PNG", with: "The histogram below, seen twice, is a PNG") }
        for page in pages {
            try notebook.waitUntil("the edit on both pages", seconds: 60) { (try page.evaluate(Self.mainText) as? String)?.contains("seen twice") == true }
        }
        #expect(try second.interrupt() == 130)
        #expect(try notebook.interrupt() == 130)
    }
}

func canBind(port: UInt16) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var yes: Int32 = 1
    setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
}

/// A port nothing listens on now.
func freePort() -> UInt16? {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    guard withUnsafePointer(to: &address, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }) == 0 else { return nil }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
    return UInt16(bigEndian: address.sin_port)
}

@Suite("nbrun watch: what it refuses before serving")
struct WatchRefusalTests {
    func watch(_ arguments: [String], in folder: URL) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = try #require(WatchedNotebook.binary, "build the executable first: swift build --build-tests")
        process.arguments = ["watch"] + arguments
        process.currentDirectoryURL = folder
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test func aFIFOAMissingManifestABadHostAndABadSetAreClearErrors() throws {
        let notebook = try WatchedNotebook()
        let fifo = notebook.folder.appendingPathComponent("Pipe.manifest")
        try #require(mkfifo(fifo.path, 0o644) == 0)
        // Refused without opening it: a FIFO with no writer would block the watcher for ever.
        let piped = try watch(["Pipe.manifest"], in: notebook.folder)
        #expect(piped.0 == 2 && piped.1.contains("Pipe.manifest is a FIFO (named pipe), not a manifest file"), "\(piped.1)")
        let missing = try watch(["Gone.manifest"], in: notebook.folder)
        #expect(missing.0 == 2 && missing.1.contains("Gone.manifest: no such manifest file"), "\(missing.1)")
        let host = try watch(["Demo.manifest", "--host", "example.com"], in: notebook.folder)
        #expect(host.0 == 1 && host.1.contains("--host 'example.com' is not an IP address"), "\(host.1)")
        let emptyHost = try watch(["Demo.manifest", "--host", ""], in: notebook.folder)
        #expect(emptyHost.0 == 1 && emptyHost.1.contains("--host '' is not an IP address"), "\(emptyHost.1)")
        let hugePort = try watch(["Demo.manifest", "--port", "70000"], in: notebook.folder)
        #expect(hugePort.0 == 64 && hugePort.1.contains("70000"), "\(hugePort.1)")
        let set = try watch(["Demo.manifest", "--set", "no-equals-sign"], in: notebook.folder)
        #expect(set.0 == 2 && set.1.contains("--set no-equals-sign"), "\(set.1)")
        // Nothing was written: no output folder, no report.
        #expect(!FileManager.default.fileExists(atPath: notebook.folder.appendingPathComponent("output").path))
    }

    @Test func listeningBeyondLoopbackIsWarnedAbout() throws {
        let notebook = try WatchedNotebook()
        try notebook.start(["--port", "0", "--host", "0.0.0.0"])
        try notebook.waitFor("warning: listening on 0.0.0.0", in: .stderr, seconds: 30)
        #expect(notebook.url.hasPrefix("http://127.0.0.1:"))
        #expect(try notebook.interrupt() == 130)
    }
}
