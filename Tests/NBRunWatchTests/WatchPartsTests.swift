import Foundation
import NBRunEngine
import NBRunTestSupport
import NBRunReport
import NBRunWatch
import Testing

/// A temporary folder, removed afterwards.
final class Scratch {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("nbrun-watch-parts-\(UUID().uuidString)")
    init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(at: url) }
    func file(_ path: String, _ text: String = "x") throws -> URL {
        let file = url.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }
}

@Suite("nbrun watch: what the server sends")
struct ServedFilesTests {
    @Test func filesOfTheOutputFolderAndLinksIntoTheCacheAreServed() throws {
        let scratch = try Scratch()
        let output = scratch.url.appendingPathComponent("out")
        _ = try scratch.file("out/report.html", "<p>report</p>")
        _ = try scratch.file("out/.cache/plot/abc/figure.png", "png")
        try FileManager.default.createSymbolicLink(atPath: output.appendingPathComponent("plot").path, withDestinationPath: ".cache/plot/abc")
        let served = ServedFiles(outputFolder: output, cacheFolder: output.appendingPathComponent(".cache"))
        #expect(try served.read("/report.html") == Data("<p>report</p>".utf8))
        #expect(try served.read("/plot/figure.png") == Data("png".utf8))
    }

    @Test func traversalHiddenNamesLinksOutFIFOsFoldersAndHugeFilesAreRefused() throws {
        let scratch = try Scratch()
        let output = scratch.url.appendingPathComponent("out")
        _ = try scratch.file("out/report.html")
        _ = try scratch.file("secret.txt", "secret")
        try FileManager.default.createSymbolicLink(atPath: output.appendingPathComponent("out-link").path, withDestinationPath: "../secret.txt")
        try #require(mkfifo(output.appendingPathComponent("pipe").path, 0o644) == 0)
        try FileManager.default.createDirectory(at: output.appendingPathComponent("folder"), withIntermediateDirectories: true)
        let huge = output.appendingPathComponent("huge.bin")
        FileManager.default.createFile(atPath: huge.path, contents: nil)
        try FileHandle(forWritingTo: huge).truncate(atOffset: UInt64(ServedFiles.maximumSize + 1))
        let served = ServedFiles(outputFolder: output, cacheFolder: output.appendingPathComponent(".cache"))
        for path in ["/../secret.txt", "/report.html/..", "//report.html", "/.cache/x", "/.lock", "/a\\b", "/a\0b", "relative", "/"] {
            #expect(throws: ServedFiles.Refusal.badPath(path)) { try served.read(path) }
        }
        #expect(throws: ServedFiles.Refusal.outsideTheOutputFolder("/out-link")) { try served.read("/out-link") }
        #expect(throws: ServedFiles.Refusal.notARegularFile("/pipe")) { try served.read("/pipe") }
        #expect(throws: ServedFiles.Refusal.notARegularFile("/folder")) { try served.read("/folder") }
        #expect(throws: ServedFiles.Refusal.tooLarge("/huge.bin", size: ServedFiles.maximumSize + 1)) { try served.read("/huge.bin") }
        #expect(throws: ServedFiles.Refusal.notFound("/missing.png")) { try served.read("/missing.png") }
        #expect(ServedFiles.contentType(of: "/x/report.md").hasPrefix("text/plain"))
        #expect(ServedFiles.contentType(of: "/x/unknown.exe") == "application/octet-stream")
    }

    @Test func theServedPageAddsOnlyTheLivePartsAndTheSocketToThePolicy() {
        let report = HTMLReportRenderer.render(Report(title: "T <b>", blocks: []), katexAvailable: false)
        let served = LivePage.served(report, version: 3)
        #expect(served.contains("content=\"\(HTMLReportRenderer.contentSecurityPolicy); connect-src 'self'\""))
        #expect(!served.contains("content=\"\(HTMLReportRenderer.contentSecurityPolicy)\""))
        #expect(served.contains("<meta name=\"nbrun-version\" content=\"3\">"))
        #expect(served.contains("<script defer src=\"/_nbrun/live.js\"></script>"))
        // The live script comes before the report's, which typesets the math.
        let live = served.range(of: "/_nbrun/live.js")!.lowerBound, own = served.range(of: "report-assets/nbrun.js")!.lowerBound
        #expect(live < own)
        // Everything else is the report as written.
        #expect(served.replacingOccurrences(of: LivePage.liveHeadForTests(version: 3), with: "<meta http-equiv=\"Content-Security-Policy\" content=\"\(HTMLReportRenderer.contentSecurityPolicy)\">") == report)
        #expect(!LivePage.waiting(title: "<script>", version: 0).contains("<script>\n"))
        #expect(LivePage.waiting(title: "<script>", version: 0).contains("&lt;script&gt;"))
    }
}

@Suite("nbrun watch: noticing saves")
struct SaveNoticingTests {
    @Test func aSnapshotSeesWritesRenamesAdditionsAndRemovalsButNotExcludedFolders() throws {
        let scratch = try Scratch()
        let code = try scratch.file("nb/Stages/A.swift", "a")
        _ = try scratch.file("nb/output/report.md")
        let roots = [scratch.url.appendingPathComponent("nb").path], excluded = [scratch.url.appendingPathComponent("nb/output").path]
        let first = InputSnapshot.take(roots: roots, excluding: excluded)
        #expect(first.files.keys.contains(code.path))
        #expect(!first.files.keys.contains { $0.contains("/output/") })
        #expect(InputSnapshot.take(roots: roots, excluding: excluded).changes(since: first).isEmpty)
        _ = try scratch.file("nb/output/report.md", "rewritten")
        #expect(InputSnapshot.take(roots: roots, excluding: excluded).changes(since: first).isEmpty)
        // Saved by rename, as editors do: same name, new file.
        try "a".write(to: code, atomically: true, encoding: .utf8)
        #expect(InputSnapshot.take(roots: roots, excluding: excluded).changes(since: first) == [code.path])
        let added = try scratch.file("nb/Helper.swift")
        let second = InputSnapshot.take(roots: roots, excluding: excluded)
        #expect(second.changes(since: first).contains(added.path))
        try FileManager.default.removeItem(at: added)
        #expect(InputSnapshot.take(roots: roots, excluding: excluded).changes(since: second) == [added.path])
        // In a code folder only Swift counts: an editor's backup beside a stage is not code.
        let swiftOnly = InputSnapshot.take(roots: roots, excluding: excluded, swiftOnly: roots)
        _ = try scratch.file("nb/Stages/A.swift~", "backup")
        _ = try scratch.file("nb/Stages/#A.swift#", "autosave")
        #expect(InputSnapshot.take(roots: roots, excluding: excluded, swiftOnly: roots).changes(since: swiftOnly).isEmpty)
        // A manifest kept in its code folder (what `nbrun new` writes) is a root, and counts.
        let manifest = try scratch.file("nb/Nb.manifest", "title: x")
        let withManifest = InputSnapshot.take(roots: roots + [manifest.path], excluding: excluded, swiftOnly: roots)
        try "title: y".write(to: manifest, atomically: true, encoding: .utf8)
        #expect(InputSnapshot.take(roots: roots + [manifest.path], excluding: excluded, swiftOnly: roots).changes(since: withManifest) == [manifest.path])
    }

    @Test(arguments: [false, true]) func theWatcherWakesForASaveByRenameAndNotForTheOutputFolder(polling: Bool) throws {
        let scratch = try Scratch()
        let code = try scratch.file("nb/Stages/A.swift", "a")
        let manifest = try scratch.file("Nb.manifest", "title: x")
        _ = try scratch.file("nb/output/report.md")
        let seen = Box<[String]>([])
        let watcher = FileWatcher(forcePolling: polling) { path in seen.value.append(path) }
        defer { watcher.stop() }
        #expect(watcher.mode == (polling ? .polling : .inotify))
        watcher.watch([manifest.path, scratch.url.appendingPathComponent("nb").path], excluding: [scratch.url.appendingPathComponent("nb/output").path])
        Thread.sleep(forTimeInterval: 0.8)
        seen.value = []
        _ = try scratch.file("nb/output/report.md", "written by a run")
        Thread.sleep(forTimeInterval: 1.2)
        #expect(!seen.value.contains { $0.contains("/output") }, "\(seen.value)")
        seen.value = []
        try "b".write(to: code, atomically: true, encoding: .utf8)
        try "title: y".write(to: manifest, atomically: true, encoding: .utf8)
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, !(seen.value.contains(code.path) || seen.value.contains { $0.hasPrefix(scratch.url.appendingPathComponent("nb").path) }) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(!seen.value.isEmpty, "no wake-up for a save by rename")
    }
}

@Suite("nbrun watch: the run's events and commands")
struct RunEventTests {
    @Test func eventsRoundTripAsOneLineEach() throws {
        let events: [RunEvent] = [
            .inputs(manifests: ["/a/B.manifest"], codeFolders: ["/a/B"], dataPaths: ["/a/data"], output: "/o", cache: "/o/.cache"),
            .plan([.init(name: "train", fingerprint: "ab", runs: true)]),
            .stageStarted(name: "train", fingerprint: "ab"),
            .progress(stage: "train", text: "train: 1/2 batches\nwith a newline"),
        ]
        for event in events {
            let line = String(decoding: try JSONEncoder().encode(event), as: UTF8.self)
            #expect(!line.contains("\n"))
            #expect(RunEvent.parse(line) == event)
        }
        #expect(RunEvent.parse("not json") == nil)
    }

    @Test func theManualCommandIsQuotedForTheShell() {
        #expect(WatchedRunInputs.manualCommand(stage: "train", arguments: ["run", "My Notes.manifest", "--set", "a.b=it's", "--leave-manual-stages"])
                == "nbrun 'My Notes.manifest' --set 'a.b=it'\\''s' --stage train")
        #expect(ShellQuoting.quoted("") == "''")
        #expect(ShellQuoting.quoted("$(rm -rf /)") == "'$(rm -rf /)'")
    }
}

@Suite("nbrun watch: the server refuses what it does not serve")
struct LiveServerTests {
    /// One raw HTTP/1.1 request (so that the test chooses the Host header), and the status.
    static func status(port: UInt16, _ request: String) throws -> (Int, String) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        try #require(connected == 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
        var response = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            response.append(contentsOf: buffer[0..<count])
            if let text = String(data: response, encoding: .utf8), let head = text.range(of: "\r\n\r\n"),
               let length = text[..<head.lowerBound].split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") })
                .flatMap({ Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }),
               response.count >= text[..<head.upperBound].utf8.count + length { break }
        }
        let text = String(decoding: response, as: UTF8.self)
        let code = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (code, text)
    }

    /// Against a real `nbrun watch` process: in this test process the server's tasks would
    /// share the cooperative threads that other tests block.
    @Test func methodsHostsPathsAndLinksOutAreRefused() throws {
        let notebook = try WatchedNotebook()
        try notebook.start()
        try notebook.waitFor("report:", in: .stdout, seconds: 180)
        let output = notebook.folder.appendingPathComponent("output/Demo")
        try "secret".write(to: notebook.folder.appendingPathComponent("secret.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: output.appendingPathComponent("leak").path, withDestinationPath: "../../secret.txt")
        let port = try #require(UInt16(notebook.url.split(separator: ":").last?.trimmingCharacters(in: CharacterSet(charactersIn: "/")) ?? ""))
        let host = "Host: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n"
        let page = try Self.status(port: port, "GET / HTTP/1.1\r\n" + host)
        #expect(page.0 == 200 && page.1.contains("connect-src 'self'") && page.1.contains("/_nbrun/live.js"))
        #expect(page.1.lowercased().contains("content-security-policy:"))
        #expect(try Self.status(port: port, "GET /histogram/histogram.png HTTP/1.1\r\n" + host).0 == 200)
        #expect(try Self.status(port: port, "POST / HTTP/1.1\r\nContent-Length: 0\r\n" + host).0 == 405)
        #expect(try Self.status(port: port, "HEAD / HTTP/1.1\r\n" + host).0 == 405)
        #expect(try Self.status(port: port, "GET / HTTP/1.1\r\nHost: attacker.example:\(port)\r\nConnection: close\r\n\r\n").0 == 421)
        #expect(try Self.status(port: port, "GET /leak HTTP/1.1\r\n" + host).0 == 403)
        #expect(try Self.status(port: port, "GET /%2e%2e/%2e%2e/secret.txt HTTP/1.1\r\n" + host).0 == 400)
        #expect(try Self.status(port: port, "GET /.cache/x HTTP/1.1\r\n" + host).0 == 400)
        let socket = try Self.status(port: port, "GET /_nbrun/live HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://attacker.example\r\n\r\n")
        #expect(socket.0 == 403, "\(socket.1)")
        // The planted link changed nothing the watcher reruns for.
        #expect(notebook.runsStarted == 1, "\(notebook.stderr)")
        #expect(try notebook.interrupt() == 130)
    }
}
