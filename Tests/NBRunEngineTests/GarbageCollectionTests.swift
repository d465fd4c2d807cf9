import Foundation
@testable import NBRun
@testable import NBRunEngine
import NBRunTestSupport
import Testing

/// Issue 14, part 5: `gc` removes cached variants, oldest first, never the last run's, and
/// only what nbrun wrote.
@Suite("Garbage collection of cached variants")
struct GarbageCollectionTests {
    func gc(_ notebook: TestNotebook, _ policy: GCPolicy) throws -> GCReport? {
        try notebook.runner.collectGarbage(notebook.load(), policy: policy, options: notebook.options())
    }

    func cache(_ notebook: TestNotebook) -> VariantCache {
        VariantCache(root: notebook.output.appendingPathComponent(".cache"))
    }

    /// Three variants of every stage, the default one last (so the output folder shows it).
    func notebookWithThreeVariants() throws -> TestNotebook {
        let notebook = try TestNotebook()
        try notebook.run(["generate.count=5"])
        try notebook.run(["generate.count=6"])
        try notebook.run()
        return notebook
    }

    @Test func keepLastKeepsTheNewestAndAlwaysTheLastRun() throws {
        let notebook = try notebookWithThreeVariants()
        let summary = try notebook.read("summarize", "summary.json")
        let report = try #require(try gc(notebook, .keepLast(1)))
        #expect(report.removed.count == 8, "\(report.removed)")
        #expect(report.keptVariants == 4)
        for stage in ["generate", "square", "summarize", "histogram"] { #expect(cache(notebook).fingerprints(of: stage).count == 1) }
        #expect(try notebook.run().executed.isEmpty, "the last run's variants are intact")
        #expect(try notebook.read("summarize", "summary.json") == summary)
        #expect(try notebook.run(["generate.count=6"]).executed.count == 4, "the older variant is gone")
    }

    @Test func keepLastZeroStillKeepsWhatTheOutputFolderShows() throws {
        let notebook = try notebookWithThreeVariants()
        try notebook.run(["generate.count=5"])  // the output folder now shows an older variant
        let report = try #require(try gc(notebook, .keepLast(0)))
        #expect(report.keptVariants == 4)
        #expect(try notebook.run(["generate.count=5"]).executed.isEmpty)
        #expect(try notebook.run().executed.count == 4)
    }

    @Test func maxSizeKeepsTheNewestThatFitAndRemovesUnusedObjects() throws {
        let notebook = try notebookWithThreeVariants()
        let before = try #require(try notebook.runner.variants(notebook.load(), options: notebook.options()))
        let report = try #require(try gc(notebook, .maxSize(0)))
        #expect(report.keptVariants == 4)
        let after = try notebook.runner.variants(notebook.load(), options: notebook.options())
        let allCurrent = after.rows.allSatisfy { $0.current }
        #expect(allCurrent)
        #expect(report.remainingBytes == after.uniqueBytes)
        #expect(report.freedBytes == before.uniqueBytes - after.uniqueBytes)
        let objects = try FileManager.default.contentsOfDirectory(atPath: cache(notebook).objectsRoot.path)
        #expect(objects.count == Set(after.rows.flatMap { row -> [String] in
            guard case .present(let record) = cache(notebook).loadVariant(row.stage, fingerprint: row.fingerprint) else { return [] }
            return record.artifacts.map(\.sha256)
        }).count)

        // A limit that fits everything removes nothing.
        let generous = try notebookWithThreeVariants()
        #expect(try gc(generous, .maxSize(1 << 30))?.removed.isEmpty == true)
    }

    @Test func onlyWhatNBRunWroteIsRemoved() throws {
        let notebook = try notebookWithThreeVariants()
        let objects = cache(notebook).objectsRoot
        let note = objects.appendingPathComponent("NOTES.txt")
        try Data("mine".utf8).write(to: note)
        let target = notebook.folder.appendingPathComponent("precious")
        try Data("precious".utf8).write(to: target)
        let planted = objects.appendingPathComponent(String(repeating: "e", count: 64))
        try FileManager.default.createSymbolicLink(at: planted, withDestinationURL: target)
        let damaged = cache(notebook).variantFolder("square", fingerprint: String(repeating: "d", count: 64))
        try FileManager.default.createDirectory(at: damaged, withIntermediateDirectories: true)
        try Data("{".utf8).write(to: damaged.appendingPathComponent("record.json"))

        let report = try #require(try gc(notebook, .keepLast(1)))
        #expect(report.removed.contains("square/\(String(repeating: "d", count: 64)) (damaged)"))
        #expect(FileManager.default.fileExists(atPath: note.path))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: planted.path)) == target.path)
        #expect(try String(contentsOf: target, encoding: .utf8) == "precious")
    }

    @Test func nothingToCollectWithoutAnOutputFolder() throws {
        let notebook = try TestNotebook()
        #expect(try gc(notebook, .keepLast(1)) == nil)
        #expect(!FileManager.default.fileExists(atPath: notebook.output.path))
    }
}
