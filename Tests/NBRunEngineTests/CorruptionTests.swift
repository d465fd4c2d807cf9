import Foundation
import NBRunEngine
import NBRunTestSupport
import Testing

@Suite("Damaged caches are detected, reported and recomputed")
struct CorruptionTests {
    @Test func alteredArtifactIsDetectedWhenReadAndItsProducerRecomputed() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let url = notebook.artifact("generate", "numbers.txt")
        let original = try Data(contentsOf: url)
        var altered = original
        altered[0] = altered[0] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
        try altered.write(to: url)

        #expect(try notebook.status()["generate"]?.freshness.isFresh == true, "same size: the fast path cannot tell")
        let result = try notebook.run { $0.onlyStage = "square" }
        #expect(result.executed == ["generate", "square"])
        let console = notebook.console.text
        // Stages read their inputs from the cached variant (the view is a link to the same file).
        let fingerprint = try #require(try notebook.status()["generate"]).fingerprint
        let read = notebook.output.appendingPathComponent(".cache/stages/generate/\(fingerprint)/numbers.txt")
        #expect(console.contains("cached artifact \(read.path) is damaged"), "\(console)")
        #expect(console.contains("recomputing stage generate"))
        #expect(console.components(separatedBy: "is damaged").count == 2, "reported once")
        #expect(try Data(contentsOf: url) == original)
    }

    @Test func truncatedOrDeletedArtifactMakesItsStageStale() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let url = notebook.artifact("square", "squares.txt")
        try Data("1".utf8).write(to: url)
        let status = try notebook.status()["square"]
        #expect(status?.freshness.summary.contains("squares.txt has 1 bytes") == true)
        #expect(try notebook.run().executed == ["square"])

        // Deleted from the output folder only: the cached variant is intact and is put back.
        try FileManager.default.removeItem(at: url)
        #expect(try notebook.status()["square"]?.statusSummary.contains("squares.txt is missing") == true)
        #expect(try notebook.run().executed.isEmpty)
        #expect(try notebook.read("square", "squares.txt").count > 1)

        // Deleted from the cache as well: recomputed.
        try FileManager.default.removeItem(at: url)
        let fingerprint = try #require(try notebook.status()["square"]?.fingerprint)
        try NoFollowRemoval.removeTree(atPath: notebook.output.appendingPathComponent(".cache/stages/square/\(fingerprint)").path)
        #expect(try notebook.status()["square"]?.freshness.summary.contains("is missing") == true)
        #expect(try notebook.run().executed == ["square"])
        #expect(try notebook.read("square", "squares.txt").count > 1)
    }

    @Test func damagedRecordIsTreatedAsNeverRun() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        try Data("{\"format\": 1, \"stage\":".utf8).write(to: notebook.artifact("square", "record.json"))
        let plan = try #require(try notebook.status()["square"])
        guard case .neverRun(let reason) = plan.freshness else { Issue.record("\(plan.freshness)"); return }
        #expect(reason.contains("record.json is damaged (not valid JSON)"))
        let result = try notebook.run()
        #expect(result.executed == ["square"])
        #expect(result.isCached("summarize"))
    }

    @Test func strayStagingAndTrashFoldersAreCleanedUp() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let staging = notebook.output.appendingPathComponent(".staging/square-2147483647")
        let trash = notebook.output.appendingPathComponent(".trash/generate-2147483646")
        for folder in [staging, trash] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data("half".utf8).write(to: folder.appendingPathComponent("partial.txt"))
        }
        let result = try notebook.run()
        #expect(result.executed.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: notebook.output.appendingPathComponent(".staging").path))
        #expect(!FileManager.default.fileExists(atPath: notebook.output.appendingPathComponent(".trash").path))
        #expect(notebook.console.text.contains("cleaned up after an earlier run"))
    }

    @Test func commitInterruptedBetweenItsRenamesIsRepaired() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        // Killed after moving the old result aside, before moving the new one in.
        let trash = notebook.output.appendingPathComponent(".trash")
        try FileManager.default.createDirectory(at: trash, withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: notebook.output.appendingPathComponent("square"),
                                         to: trash.appendingPathComponent("square-2147483645"))
        let staging = notebook.output.appendingPathComponent(".staging/square-2147483645")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        try Data("incomplete".utf8).write(to: staging.appendingPathComponent("squares.txt"))

        let result = try notebook.run()
        #expect(result.executed.isEmpty, "the old complete result came back and is fresh")
        #expect(try notebook.read("square", "squares.txt") != "incomplete")
    }
}
