import Foundation
@testable import NBRunEngine
import NBRunTestSupport
import SeededRandom
import Testing

/// Issue 27, defect 3: a record is a file anyone (or another machine sharing the cache) may
/// have written. Its durations, dates, metrics, sizes, memory and names are fuzzed with the
/// values that trap arithmetic or formatting (1e19 seconds, Int.max bytes, the year 9999,
/// control characters), and `runs`, `status`, `why`, a plain run and its reports must come
/// back with a result or a typed error, never a crash. `NBRUN_FUZZ_ITERATIONS` sets the count.
@Suite("Record fields fuzzed: runs, status, why and a run never crash")
struct RecordFieldFuzzTests {
    static var iterations: Int { Int(ProcessInfo.processInfo.environment["NBRUN_FUZZ_ITERATIONS"] ?? "") ?? 120 }

    nonisolated(unsafe) static let durations: [Any] = [1e19, -1.0, 1e308, -1e308, 0.0, 5e-324, 9.3e18, 119.999, 7200.5, 1e15, Int64.max, "ten"]
    nonisolated(unsafe) static let dates: [Any] = ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "2026-13-40T99:99:99Z",
                               "", 12345, NSNull()]
    nonisolated(unsafe) static let sizes: [Any] = [-1, Int.max, (1 << 48) + 1, 1 << 48, 0, Int64.min, 1e300, "7"]
    nonisolated(unsafe) static let memory: [Any] = [UInt64.max, -1, 1.5, 0, 1e30]
    nonisolated(unsafe) static let metricValues: [Any] = [1e308, -1e308, 1e19, -0.0, 5e-324, 9_223_372_036_854_775_807, "nan"]
    static let names = ["\u{1B}[31mred", "line\nbreak", "", "bell\u{07}", "\u{202E}evil", String(repeating: "x", count: 5000), "a|b", "ok"]

    @Test func hostileRecordFieldsNeverCrash() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let store = ArtifactStore(outputDirectory: notebook.output)
        let recordURL = store.recordURL("summarize")
        let template = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: recordURL)) as? [String: Any])
        guard case .present(let original) = store.loadRecord("summarize") else { Issue.record("no record"); return }
        let variantRecord = store.cache.variantFolder("summarize", fingerprint: original.fingerprint).appendingPathComponent("record.json")
        var random = SplitMix64(seed: UInt64(ProcessInfo.processInfo.environment["NBRUN_FUZZ_SEED"] ?? "") ?? 27)
        var typedErrors = 0
        for iteration in 0..<Self.iterations {
            let data = try JSONSerialization.data(withJSONObject: Self.mutated(template, random: &random))
            // Both the view's record and the cached variant's: `runs` reads the cache, `status` both.
            for url in [recordURL, variantRecord] {
                try? FileManager.default.removeItem(at: url)
                try data.write(to: url)
            }
            if let error = Self.exercise(notebook) {
                typedErrors += 1
                #expect(!error.isEmpty, "iteration \(iteration)")
            }
        }
        print("record field fuzz: \(Self.iterations) records, \(typedErrors) typed errors")
    }

    /// `template` with some of its fields replaced by hostile values.
    static func mutated(_ template: [String: Any], random: inout SplitMix64) -> [String: Any] {
        var record = template
        func pick(_ values: [Any]) -> Any { values[Int(random.uniform(below: UInt64(values.count)))] }
        if random.uniform(below: 2) == 0 { record["durationSeconds"] = pick(durations) }
        if random.uniform(below: 2) == 0 { record["startedAt"] = pick(dates) }
        if random.uniform(below: 2) == 0 { record["peakMemoryBytes"] = pick(memory) }
        if random.uniform(below: 2) == 0 {
            record["metrics"] = [names[Int(random.uniform(below: UInt64(names.count)))]: pick(metricValues), "sum": pick(metricValues)]
        }
        if random.uniform(below: 2) == 0 {
            record["parameters"] = [names[Int(random.uniform(below: UInt64(names.count)))]: pick(names)]
        }
        if random.uniform(below: 2) == 0, var artifacts = record["artifacts"] as? [[String: Any]], !artifacts.isEmpty {
            artifacts[0]["size"] = pick(sizes)
            artifacts.append(["name": "extra.txt", "sha256": String(repeating: "0", count: 64), "size": pick(sizes)])
            record["artifacts"] = artifacts
        }
        return record
    }

    /// `runs` (text and JSON), `status`, `why` and a plain run with its reports; the error
    /// any of them threw, or nil.
    static func exercise(_ notebook: TestNotebook) -> String? {
        do {
            let manifest = try notebook.load()
            let table = try notebook.runner.variants(manifest, options: notebook.options())
            _ = table.text()
            _ = table.json()
            _ = try notebook.runner.status(manifest, options: notebook.options()).map(\.summary)
            let explanation = try notebook.runner.why(manifest, stage: "summarize", options: notebook.options())
            if let found = explanation.decision.freshness.record { _ = ReportFormat.duration(found.durationSeconds) }
            _ = try notebook.runner.run(manifest, options: notebook.options())
            return nil
        } catch {
            return String(describing: error)
        }
    }

    /// The issue's repro with the real binary: `runs`, `why` and a plain run on a record
    /// claiming 1e19 seconds trapped (exit 132) in the duration's Int conversion.
    @Test func aRecordOfTenQuintillionSecondsIsPrinted() throws {
        let binary = try #require(nbrunBinary, "build the executable first: swift build --build-tests")
        let notebook = try TestNotebook()
        let first = try RunningNBRun(binary, ["Test.manifest", "--output", "out"], in: notebook.folder).finish()
        try #require(first.status == 0, "\(first.output)")
        let store = ArtifactStore(outputDirectory: notebook.output)
        guard case .present(let record) = store.loadRecord("summarize") else { Issue.record("no record"); return }
        var text = try String(contentsOf: store.recordURL("summarize"), encoding: .utf8)
        let duration = try #require(text.range(of: #""durationSeconds" : [^,]*"#, options: .regularExpression))
        text.replaceSubrange(duration, with: #""durationSeconds" : 1e19"#)
        for url in [store.recordURL("summarize"),
                    store.cache.variantFolder("summarize", fingerprint: record.fingerprint).appendingPathComponent("record.json")] {
            try FileManager.default.removeItem(at: url)
            try Data(text.utf8).write(to: url)
        }
        for arguments in [["runs", "Test.manifest", "--output", "out"], ["why", "Test.manifest", "--output", "out", "summarize"],
                          ["Test.manifest", "--output", "out"]] {
            let run = try RunningNBRun(binary, arguments, in: notebook.folder).finish()
            #expect(run.status == 0, "\(arguments): exit \(run.status)\n\(run.output)")
        }
    }

    @Test func durationsOfAnySizeFormat() {
        for seconds in [1e19, 9.3e18, .infinity, -.infinity, .nan, -1, 1e308, Double(Int.max), 0.5, 59.5, 7200] {
            #expect(!ReportFormat.duration(seconds).isEmpty)
        }
        #expect(ReportFormat.duration(7200) == "120 min 0 s")
        #expect(ReportFormat.duration(-1) == "-1.0 s")
    }

    /// Ten parameters of a hundred values each trapped with "arithmetic overflow" in the
    /// grid's size; the real binary must refuse the sweep by name, before anything runs.
    @Test func anOverflowingGridIsRefusedByName() throws {
        let binary = try #require(nbrunBinary, "build the executable first: swift build --build-tests")
        let notebook = try TestNotebook()
        let values = (1...100).map(String.init).joined(separator: ",")
        let sweeps = ["generate.seed", "generate.count", "histogram.bins"].flatMap { ["--sweep", "\($0)=\(values)"] }
            + (0..<7).flatMap { ["--sweep", "square.p\($0)=\(values)"] }
        let run = try RunningNBRun(binary, ["Test.manifest", "--output", "out"] + sweeps, in: notebook.folder).finish()
        #expect(run.status == 2, "a usage error, not a trap (132): exit \(run.status)\n\(run.output.prefix(2000))")
        #expect(run.output.contains("100 × 100 × 100 × 100 × 100 × 100 × 100 × 100 × 100 × 100 variants, more than the 4096"),
                "\(run.output.prefix(2000))")
        #expect(!FileManager.default.fileExists(atPath: notebook.output.path), "nothing ran")
    }
}
