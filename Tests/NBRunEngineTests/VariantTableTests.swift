import Foundation
@testable import NBRun
@testable import NBRunEngine
import NBRunTestSupport
import Testing

/// Issue 14, part 2: metrics recorded through the stage API and the table of cached variants.
@Suite("Metrics and the table of cached variants")
struct VariantTableTests {
    func table(_ notebook: TestNotebook) throws -> VariantTable {
        try notebook.runner.variants(notebook.load(), options: notebook.options())
    }

    @Test func metricsAreStoredInTheRecord() throws {
        let notebook = try TestNotebook()
        let result = try notebook.run()
        guard case .ranNow(let record) = result.outcome("summarize") else { Issue.record("summarize did not run"); return }
        let metrics = try #require(record.metrics)
        #expect(metrics["count"] == 20)
        // The demo's squares are listed in squares.txt: the mean is recomputed here independently.
        let squares = try notebook.read("square", "squares.txt").split(separator: "\n").compactMap { Double($0) }
        #expect(abs(try #require(metrics["mean"]) - squares.reduce(0, +) / Double(squares.count)) < 1e-9)
        let generate = try notebook.status()["generate"]?.freshness.record
        #expect(generate != nil && generate?.metrics == nil, "a stage that records none has none")
    }

    @Test func invalidMetricsAreRefusedByName() throws {
        let folder = FileManager.default.temporaryDirectory
        let context = StageContext(
            stageName: "s", notebookDirectory: folder, parameters: StageParameters([:], baseDirectory: folder), threadCount: 1,
            stagingDirectory: folder, resumeDirectory: folder, upstream: [], console: .recording(), cancellation: CancellationFlag())
        #expect(throws: StorageError.invalidMetric(name: "acc", reason: "its value nan is not a finite number")) {
            try context.recordMetric("acc", .nan)
        }
        for bad in ["", "a b", "a/b", "naïve", String(repeating: "x", count: 65)] {
            #expect(throws: StorageError.self) { try context.recordMetric(bad, 1) }
        }
        try context.recordMetric("test.accuracy", 0.5)
        try context.recordMetric("test.accuracy", 0.9882)
        #expect(context.metrics == ["test.accuracy": 0.9882])
        #expect(StorageError.invalidMetric(name: "a b", reason: "r").description == "invalid metric 'a b': r")
    }

    @Test func theTableShowsDifferingParametersIncludingUpstreamOnes() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        try notebook.run(["generate.count=7"])
        try notebook.run(["summarize.label=total"])
        let table = try table(notebook)
        #expect(table.rows.count == 9)
        let summaries = table.rows.filter { $0.stage == "summarize" }
        #expect(summaries.count == 3)
        #expect(Set(summaries.map(\.parameters)) == [
            ["generate.count": "20", "summarize.label": "sum of squares"],
            ["generate.count": "7", "summarize.label": "sum of squares"],
            ["generate.count": "20", "summarize.label": "total"],
        ])
        #expect(summaries.filter(\.current).map(\.parameters) == [["generate.count": "20", "summarize.label": "total"]])
        #expect(Set(summaries.compactMap { $0.metrics["count"] }) == [20, 7])
        // Two summaries hold the same bytes: the label does not change summary.json.
        let sharing = summaries.filter { $0.sharedBytes > 0 }
        #expect(sharing.count == 2 && sharing.allSatisfy { $0.sharedBytes == $0.bytes })
        let generate = table.rows.filter { $0.stage == "generate" }
        #expect(generate.allSatisfy { $0.parameters.keys.sorted() == ["generate.count"] }, "seed is the same everywhere: not shown")

        // Disk usage counts each distinct content once, and matches the objects on disk.
        let objects = notebook.output.appendingPathComponent(".cache/objects")
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: objects.path).reduce(0) { total, name in
            total + ((try FileManager.default.attributesOfItem(atPath: objects.appendingPathComponent(name).path)[.size] as? Int) ?? 0)
        }
        #expect(table.uniqueBytes == onDisk)

        let text = table.text()
        #expect(text.contains("summarize: 3 variants"))
        #expect(text.contains("generate.count  summarize.label  count  mean"), "\(text)")
        #expect(text.contains("9 variants, "))
        let decoded = try JSONDecoder.iso8601.decode(VariantTable.self, from: table.json())
        #expect(decoded.rows.map(\.fingerprint) == table.rows.map(\.fingerprint))
        #expect(decoded.uniqueBytes == table.uniqueBytes)
    }

    @Test func anEmptyCacheSaysSo() throws {
        let notebook = try TestNotebook()
        #expect(try table(notebook).text().contains("no cached variants yet"))
    }
}

extension JSONDecoder {
    static var iso8601: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
