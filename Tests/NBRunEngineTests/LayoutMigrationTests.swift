import Foundation
@testable import NBRun
@testable import NBRunEngine
import NBRunTestSupport
import Testing

/// Issue 14, part 6: an output folder in the layout of one result per stage (written by
/// main's nbrun before this change: `Fixtures/legacy-output.tar`, produced with that build
/// from `Test.manifest` inside it) is migrated with a message, never misread.
@Suite("Migrating output folders of the earlier layout")
struct LayoutMigrationTests {
    /// The fixture unpacked into a fresh test notebook folder: `Test.manifest` and `out/`.
    func legacyNotebook() throws -> TestNotebook {
        let notebook = try TestNotebook()
        let archive = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/legacy-output.tar")
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-xf", archive.path, "-C", notebook.folder.path]
        try tar.run()
        tar.waitUntilExit()
        #expect(tar.terminationStatus == 0)
        return notebook
    }

    func fixtureRecord(_ notebook: TestNotebook, _ stage: String) throws -> StageRecord {
        let data = try Data(contentsOf: notebook.artifact(stage, "record.json"))
        return try StageRecord.decoder().decode(StageRecord.self, from: data)
    }

    @Test func intactResultsMoveIntoTheCacheWithAMessage() throws {
        let notebook = try legacyNotebook()
        let records = try ["generate", "square", "summarize", "histogram"].map { try fixtureRecord(notebook, $0) }
        let notes = notebook.runner.statusNotes(try notebook.load(), options: notebook.options())
        #expect(notes.contains { $0.contains("was written by an earlier nbrun (one result per stage)") }, "\(notes)")

        let result = try notebook.run()
        #expect(result.exitCode == 0)
        let console = notebook.console.text
        #expect(console.contains("was written by an earlier nbrun (one result per stage); it now keeps every variant by fingerprint"))
        #expect(console.contains("kept the earlier results of generate, square, summarize, histogram"))
        let cache = VariantCache(root: notebook.output.appendingPathComponent(".cache"))
        for record in records {
            guard case .present(let cached) = cache.loadVariant(record.stage, fingerprint: record.fingerprint) else {
                Issue.record("\(record.stage) was not kept"); continue
            }
            #expect(cached == record)
        }
        #expect(OutputFolder(url: notebook.output).layoutFormat() == OutputFolder.layoutFormat)
        // Whatever this build's fingerprints are, the earlier results stay available by theirs,
        // and the folder is now read as the current layout: no second migration message.
        let again = try notebook.run()
        #expect(again.executed.isEmpty)
        #expect(notebook.console.text.components(separatedBy: "written by an earlier nbrun").count == 2)
    }

    @Test func aDamagedEarlierResultIsNotKeptAndSaysSo() throws {
        let notebook = try legacyNotebook()
        let numbers = notebook.artifact("generate", "numbers.txt")
        let size = try Data(contentsOf: numbers).count
        try Data(repeating: UInt8(ascii: "1"), count: size).write(to: numbers)
        let result = try notebook.run()
        #expect(result.exitCode == 0)
        let console = notebook.console.text
        #expect(console.contains("earlier results not kept (they will be recomputed): generate (cached artifact"), "\(console)")
        #expect(console.contains("kept the earlier results of square, summarize, histogram"))
        #expect(result.executed.first == "generate")
        #expect(try notebook.read("generate", "numbers.txt").split(separator: "\n").count == 20)
    }

    @Test func anUnmarkedFolderFromBeforeTheMarkerIsMigratedToo() throws {
        let notebook = try legacyNotebook()
        try FileManager.default.removeItem(at: notebook.output.appendingPathComponent(OutputFolder.markerName))
        let result = try notebook.run()
        #expect(result.exitCode == 0)
        #expect(notebook.console.text.contains("kept the earlier results of generate, square, summarize, histogram"))
        #expect(OutputFolder(url: notebook.output).layoutFormat() == OutputFolder.layoutFormat)
    }

    @Test func aFolderOfTheCurrentLayoutIsNotMigrated() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        try notebook.run()
        #expect(!notebook.console.text.contains("earlier nbrun"))
        #expect(notebook.runner.statusNotes(try notebook.load(), options: notebook.options()).isEmpty)
    }
}
