import BrowserTestSupport
import Foundation

// How long from a save to the updated page, with `nbrun watch` serving a notebook and
// headless Chromium showing it: the time from the write to the moment the page's DOM holds
// the edit, taken in the page by a MutationObserver (both clocks are this machine's).
// Prose edits and one-line stage edits alternate, RUNS of each.
//
//   watch-benchmark NBRUN MANIFEST RUNS
// where MANIFEST is a notebook made by `nbrun new Waves` (Benchmarks/watch-latency.sh sets it up).

let arguments = CommandLine.arguments
guard arguments.count == 4, let runs = Int(arguments[3]), runs > 0 else {
    FileHandle.standardError.write(Data("usage: watch-benchmark NBRUN MANIFEST RUNS\n".utf8))
    exit(2)
}
let nbrun = URL(fileURLWithPath: arguments[1]), manifest = URL(fileURLWithPath: arguments[2])
let folder = manifest.deletingLastPathComponent()
let stage = folder.appendingPathComponent("Stages/PlotStage.swift")

let log = folder.appendingPathComponent("watch.log")
FileManager.default.createFile(atPath: log.path, contents: nil)
let watch = Process()
watch.executableURL = nbrun
watch.arguments = ["watch", manifest.path, "--port", "0", "--output", folder.deletingLastPathComponent().appendingPathComponent("out").path]
watch.standardOutput = try FileHandle(forWritingTo: log)
watch.standardError = watch.standardOutput
try watch.run()
nonisolated(unsafe) var browserToQuit: DevToolsPipe?
defer { watch.interrupt(); watch.waitUntilExit() }

@MainActor func waitUntil(_ what: String, seconds: Double = 120, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return }
        usleep(2_000)
    }
    // Top-level code that throws ends the program without running its defers: stop the
    // browser and the watcher here, so that neither outlives the benchmark.
    browserToQuit?.quit()
    watch.interrupt()
    watch.waitUntilExit()
    throw BenchmarkTimeout(description: "timed out waiting for \(what); watch said:\n\((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
}

struct BenchmarkTimeout: Error, CustomStringConvertible { var description: String }
@MainActor func logText() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
try waitUntil("the address") { logText().contains("serving http://") }
let address = logText().split(whereSeparator: { $0 == " " || $0 == "\n" }).first { $0.hasPrefix("http://") }.map(String.init)!
try waitUntil("the first report") { logText().contains("report:") }

let browser = try DevToolsPipe()
browserToQuit = browser
defer { browser.quit() }
let page = try BrowserPage(browser: browser)
try page.open(URL(string: address)!)
try waitUntil("the page to connect") { (try page.evaluate("document.getElementById('nbrun-live') ? document.getElementById('nbrun-live').className : ''") as? String) == "idle" }

/// Writes the edit (as an editor saving by rename does) and returns the seconds until the
/// page's DOM holds `marker`.
@MainActor func timedEdit(_ file: URL, from old: String, to new: String, marker: String) throws -> Double {
    _ = try page.evaluate("""
        (function () {
          window.nbrunSeen = null;
          var marker = \(String(decoding: try JSONEncoder().encode(marker), as: UTF8.self));
          if (window.nbrunObserver) window.nbrunObserver.disconnect();
          window.nbrunObserver = new MutationObserver(function () {
            if (window.nbrunSeen === null && document.body.textContent.indexOf(marker) >= 0) window.nbrunSeen = Date.now();
          });
          window.nbrunObserver.observe(document.body, { childList: true, subtree: true, characterData: true });
          return true;
        })()
        """)
    let text = try String(contentsOf: file, encoding: .utf8)
    guard text.contains(old) else { throw CocoaError(.fileReadCorruptFile) }
    let written = Date().timeIntervalSince1970 * 1000
    try text.replacingOccurrences(of: old, with: new).write(to: file, atomically: true, encoding: .utf8)
    var seen: Double?
    try waitUntil("'\(marker)' on the page") {
        seen = try page.evaluate("window.nbrunSeen") as? Double
        return seen != nil
    }
    // Settle before the next edit: the run that updated the page has ended.
    try waitUntil("the watcher to be idle") { (try page.evaluate("document.getElementById('nbrun-live').className") as? String) == "idle" }
    return (seen! - written) / 1000
}

var prose: [Double] = [], code: [Double] = []
var proseText = "The first", codeText = "largest sample"
for run in 1...runs {
    let newProse = "The first (edit \(run))", newCode = "largest sample (edit \(run))"
    prose.append(try timedEdit(manifest, from: proseText, to: newProse, marker: newProse))
    code.append(try timedEdit(stage, from: codeText, to: newCode, marker: newCode + ":"))
    proseText = newProse
    codeText = newCode
}

func summary(_ label: String, _ times: [Double]) -> String {
    let sorted = times.sorted()
    let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    return String(format: "%@ median %.3f s over %d runs (min %.3f, max %.3f)", label.padding(toLength: 40, withPad: " ", startingAt: 0),
                  median, sorted.count, sorted.first!, sorted.last!)
}
let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
print("nbrun watch, from the save to the updated page in headless Chromium (load \(load)):")
print(summary("prose edit -> page updated", prose))
print(summary("one-line stage edit -> page updated", code))
print("page errors: \(page.errors.isEmpty ? "none" : page.errors.joined(separator: "; "))")
