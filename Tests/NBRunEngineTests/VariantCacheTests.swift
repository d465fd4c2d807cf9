import Foundation
@testable import NBRun
@testable import NBRunEngine
import NBRunTestSupport
import Testing

/// Issue 14, part 1: every variant stays cached by fingerprint, the output folder shows the
/// last run's, and the same bytes are stored once.
@Suite("Variants kept by fingerprint")
struct VariantCacheTests {
    func cache(_ notebook: TestNotebook) -> VariantCache {
        VariantCache(root: notebook.output.appendingPathComponent(".cache"))
    }

    func inode(_ url: URL) -> (UInt64, UInt64) {
        var info = stat()
        lstat(url.path, &info)
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }

    @Test func goingBackToEarlierParametersRestoresWithoutRecomputing() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let summary = try notebook.read("summarize", "summary.json")
        let report = try notebook.report()
        #expect(try notebook.run(["generate.count=7"]).executed.count == 4)
        #expect(try notebook.read("summarize", "summary.json").contains("\"count\": 7"))

        let back = try notebook.run()
        #expect(back.executed.isEmpty, "the default variant was computed before")
        for stage in ["generate", "square", "summarize", "histogram"] { #expect(back.isCached(stage)) }
        #expect(notebook.console.text.contains("↺ generate: restored from the cache"))
        #expect(try notebook.read("summarize", "summary.json") == summary, "the output folder shows the last run's variant")
        let restoredReport = try notebook.report()
        #expect(restoredReport.contains("\"count\": 20") == report.contains("\"count\": 20"))
        #expect(!restoredReport.contains("(from `--set`)"), "report.md matches the last run")
        #expect(try notebook.run(["generate.count=7"]).executed.isEmpty, "both variants stay cached")
    }

    @Test func theViewIsLinkedToTheCachedVariantAndBytesAreStoredOnce() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        try notebook.run(["generate.count=7"])
        try notebook.run { $0.onlyStage = "square" }  // recommits bytes already stored
        let cache = cache(notebook)
        let plans = try notebook.status()
        let fingerprint = try #require(plans["generate"]?.fingerprint)
        let variant = cache.variantFolder("generate", fingerprint: fingerprint)
        #expect(inode(notebook.artifact("generate", "numbers.txt")) == inode(variant.appendingPathComponent("numbers.txt")))

        var hashes: Set<String> = []
        for stage in ["generate", "square", "summarize", "histogram"] {
            let fingerprints = cache.fingerprints(of: stage)
            #expect(fingerprints.count == 2, "\(stage): \(fingerprints)")
            for fingerprint in fingerprints {
                guard case .present(let record) = cache.loadVariant(stage, fingerprint: fingerprint) else {
                    Issue.record("\(stage)/\(fingerprint) unreadable"); continue
                }
                for artifact in record.artifacts {
                    hashes.insert(artifact.sha256)
                    let file = cache.variantFolder(stage, fingerprint: fingerprint).appendingPathComponent(artifact.name)
                    #expect(inode(file) == inode(cache.objectURL(artifact.sha256)), "\(file.path) shares its object")
                }
            }
        }
        let objects = (NoFollowRemoval.entries(ofFolderAt: cache.objectsRoot.path) ?? []).filter { !$0.hasPrefix(".") }
        #expect(Set(objects) == hashes, "one object per distinct content, nothing else")
    }

    @Test func aViewLostAfterTheCacheCommitIsRestored() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        // As if killed between the variant's commit and the view's swap: the view is gone.
        try NoFollowRemoval.removeTree(atPath: notebook.output.appendingPathComponent("square").path)
        let plan = try #require(try notebook.status()["square"])
        #expect(plan.statusSummary.hasPrefix("fresh: cached variant, put back in place by the next run (") == true)
        #expect(plan.statusSummary.contains("/square does not show it)"), "\(plan.statusSummary)")
        let result = try notebook.run()
        #expect(result.executed.isEmpty)
        #expect(try notebook.read("square", "squares.txt").split(separator: "\n").count == 20)
    }

    @Test func aDamagedObjectIsDiscardedAndRecomputed() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let numbers = notebook.artifact("generate", "numbers.txt")
        let original = try Data(contentsOf: numbers)
        chmod(numbers.path, 0o644)
        try Data(repeating: UInt8(ascii: "9"), count: original.count).write(to: numbers, options: [])
        let result = try notebook.run { $0.onlyStage = "square" }
        #expect(result.executed == ["generate", "square"])
        #expect(notebook.console.text.contains("is damaged"))
        #expect(try Data(contentsOf: numbers) == original)
        guard case .present(let record) = cache(notebook).loadVariant("generate", fingerprint: try #require(notebook.status()["generate"]?.fingerprint)) else {
            Issue.record("generate is not cached"); return
        }
        let object = cache(notebook).objectURL(try #require(record.artifact(named: "numbers.txt")).sha256)
        #expect(try Data(contentsOf: object) == original, "the object holds the recomputed bytes again")
    }

    @Test func cachedArtifactsAreReadOnly() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        var info = stat()
        lstat(notebook.artifact("square", "squares.txt").path, &info)
        #expect(info.st_mode & 0o222 == 0, "an edit in place would change every variant sharing the bytes")
    }

    /// A pid in a temporary's name says nothing when the cache is shared by several machines
    /// (`RunOptions.cacheDirectory`): temporaries are removed only by a run that finds no
    /// other process using the cache (then every one is abandoned), never while one does.
    @Test func abandonedTemporariesAreRemovedOnlyWhenNoOtherProcessUsesTheCache() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let stageFolder = cache(notebook).stageFolder("generate")
        let dead = stageFolder.appendingPathComponent(".tmp-999999999-abc")
        let otherMachine = stageFolder.appendingPathComponent(".tmp-1-abc")
        let deadObject = cache(notebook).objectsRoot.appendingPathComponent(".tmp-999999999-\(String(repeating: "a", count: 64))")
        try FileManager.default.createDirectory(at: dead, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: otherMachine, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: deadObject)
        // Another process runs with this cache (its shared run lock): nothing is touched.
        let other = try RunLock.acquire(cacheRoot: cache(notebook).root, exclusive: false, wait: false, cancellation: nil, onWait: {})
        try notebook.run(["generate.count=21"])
        for url in [dead, otherMachine, deadObject] {
            #expect(FileManager.default.fileExists(atPath: url.path), "\(url.lastPathComponent): another process may be writing it")
        }
        other.release()
        try notebook.run()
        for url in [dead, otherMachine, deadObject] {
            #expect(!FileManager.default.fileExists(atPath: url.path), "\(url.lastPathComponent): no process uses the cache")
        }
        #expect(notebook.console.text.contains("cleaned up after an earlier run: removed \(dead.path)"))
    }

    @Test func aLinkOrFileInPlaceOfTheCacheIsRefused() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let cacheURL = notebook.output.appendingPathComponent(".cache")
        try FileManager.default.removeItem(at: cacheURL)
        let elsewhere = notebook.folder.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: cacheURL, withDestinationURL: elsewhere)
        #expect(throws: RunError.self) { try notebook.run(["generate.count=3"]) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)

        try FileManager.default.removeItem(at: cacheURL)
        try FileManager.default.createDirectory(at: cacheURL, withIntermediateDirectories: true)
        try Data("not a folder".utf8).write(to: cacheURL.appendingPathComponent("objects"))
        let error = #expect(throws: RunError.self) { try notebook.run(["generate.count=3"]) }
        #expect(error?.description.contains(".cache/objects is a regular file") == true, "\(String(describing: error))")
        #expect(try Data(contentsOf: cacheURL.appendingPathComponent("objects")) == Data("not a folder".utf8))
    }

    @Test func cleanRemovesTheCache() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        try notebook.run(["generate.count=3"])
        let report = try #require(try notebook.runner.clean(notebook.load(), options: notebook.options()))
        #expect(report.removed.contains(".cache/"))
        #expect(report.removedFolder)
    }

    @Test func aCacheOnAnotherFileSystemHoldsCopies() throws {
        let shm = URL(fileURLWithPath: "/dev/shm")
        guard FileKind.of(shm.path).isDirectory else { return }
        let root = shm.appendingPathComponent("nbrun-cache-test-\(UUID().uuidString)")
        defer { try? NoFollowRemoval.removeTree(atPath: root.path) }
        let notebook = try TestNotebook()
        try notebook.run { $0.cacheDirectory = root }
        try notebook.run(["generate.count=7"]) { $0.cacheDirectory = root }
        let back = try notebook.run { $0.cacheDirectory = root }
        #expect(back.executed.isEmpty)
        #expect(try notebook.read("summarize", "summary.json").contains("\"count\": 20"))
        #expect(try notebook.run { $0.cacheDirectory = root }.executed.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: notebook.output.appendingPathComponent(".cache").path))
    }
}

@Suite("Links planted inside the variant cache")
struct VariantCacheLinkTests {
    @Test(arguments: ["stages", "objects", "stages/generate"])
    func aLinkInsideTheCacheIsRefusedAndItsTargetKept(path: String) throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let victim = notebook.folder.appendingPathComponent("victim")
        let planted = notebook.output.appendingPathComponent(".cache/\(path)")
        try FileManager.default.moveItem(at: planted, to: victim)
        try FileManager.default.createSymbolicLink(at: planted, withDestinationURL: victim)
        let before = FileTreeSnapshot(of: victim)
        let error = #expect(throws: RunError.self) { try notebook.run(["generate.count=3"]) }
        #expect(error?.description.contains(".cache/\(path) is a symbolic link, where nbrun keeps") == true,
                "\(String(describing: error))")
        #expect(throws: RunError.self) { try notebook.runner.collectGarbage(notebook.load(), policy: .keepLast(0), options: notebook.options()) }
        #expect(FileTreeSnapshot(of: victim) == before)
        // status does not read through the link either: the variant is not found there.
        if path == "stages/generate" {
            let summary = try #require(try notebook.status(["generate.count=3"])["generate"]).statusSummary
            #expect(summary.hasPrefix("stale"), "\(summary)")
        }
    }
}
