import Foundation
@testable import NBRunEngine
import NBRunTestSupport
import Testing

/// Issue 27, defects 7 and 13: `gc` of one notebook in a cache shared with another keeps
/// every object the other's variants list, and reports only bytes it freed; a record that
/// claims a date far in the future is not the newest for ever.
@Suite("gc in a shared cache")
struct SharedCacheGCTests {
    /// A second notebook whose stages have other names but produce the same bytes as the
    /// pipeline's `generate` (same kind and parameters), so the two share objects.
    static let other = """
        title: other
        cells:
          - stage: numbers
            kind: demo.generate
            parameters: {seed: 3, count: 20}
          - stage: words
            kind: demo.generate
            parameters: {seed: 4, count: 50}
        """

    func objects(_ cache: VariantCache) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: cache.objectsRoot.path).filter { !$0.hasPrefix(".") })
    }

    @Test func gcOfOneNotebookKeepsTheObjectsOfAnother() throws {
        let notebook = try TestNotebook()
        let cacheURL = notebook.folder.appendingPathComponent("shared-cache")
        let otherURL = notebook.folder.appendingPathComponent("Other.manifest")
        try Data(Self.other.utf8).write(to: otherURL)
        let runner = notebook.runner
        let other = try runner.loadManifest(otherURL, overrides: [])
        var otherOptions = notebook.options { $0.cacheDirectory = cacheURL }
        otherOptions.outputDirectory = notebook.folder.appendingPathComponent("other-out")
        _ = try runner.run(other, options: otherOptions)
        try notebook.run { $0.cacheDirectory = cacheURL }
        try notebook.run(["generate.count=7"]) { $0.cacheDirectory = cacheURL }
        let cache = VariantCache(root: cacheURL)
        var otherObjects: Set<String> = []
        for stage in ["numbers", "words"] {
            for fingerprint in cache.fingerprints(of: stage) {
                guard case .present(let record) = cache.loadVariant(stage, fingerprint: fingerprint) else { continue }
                otherObjects.formUnion(record.artifacts.map(\.sha256))
            }
        }
        try #require(!otherObjects.isEmpty)
        let report = try #require(try runner.collectGarbage(notebook.load(), policy: .keepLast(0), options: notebook.options { $0.cacheDirectory = cacheURL }))
        let left = try objects(cache)
        #expect(otherObjects.isSubset(of: left), "gc removed \(otherObjects.subtracting(left)) of the other notebook's objects")
        #expect(report.removed.count == 4, "\(report.removed)")
        // The other notebook still finds its variants whole: nothing to compute.
        #expect(try runner.run(other, options: otherOptions).executed.isEmpty)
        for fingerprint in cache.fingerprints(of: "numbers") {
            let object = cache.variantFolder("numbers", fingerprint: fingerprint).appendingPathComponent("numbers.txt")
            guard case .present(let record) = cache.loadVariant("numbers", fingerprint: fingerprint) else { continue }
            #expect(FileLinking.sameFile(object.path, cache.objectURL(record.artifacts[0].sha256).path), "still deduplicated")
        }
    }

    @Test func freedBytesCountOnlyObjectsNothingElseLinks() throws {
        let notebook = try TestNotebook()
        try notebook.run(["generate.count=5"])
        // A user's hard link to an old variant's artifact keeps its bytes on disk.
        let cache = VariantCache(root: notebook.output.appendingPathComponent(".cache"))
        let old = try #require(cache.fingerprints(of: "generate").first)
        let numbers = cache.variantFolder("generate", fingerprint: old).appendingPathComponent("numbers.txt")
        try FileManager.default.linkItem(at: numbers, to: notebook.folder.appendingPathComponent("kept.txt"))
        try notebook.run()
        var sizes: [String: Int] = [:]
        for name in try objects(cache) {
            sizes[name] = try #require(try FileManager.default.attributesOfItem(atPath: cache.objectURL(name).path)[.size] as? Int)
        }
        let keptObject = try ContentHash.ofFile(at: numbers)
        let report = try #require(try notebook.runner.collectGarbage(notebook.load(), policy: .keepLast(0), options: notebook.options()))
        let removed = Set(sizes.keys).subtracting(try objects(cache))
        #expect(removed.contains(keptObject) && removed.count == report.removedObjects && removed.count > 1, "\(removed)")
        let freed = removed.subtracting([keptObject]).reduce(0) { $0 + sizes[$1]! }
        #expect(report.freedBytes == freed, "reported \(report.freedBytes) bytes freed; \(freed) were")
    }

    @Test func aRecordDatedInTheFutureIsNotKeptForEver() throws {
        let notebook = try TestNotebook()
        try notebook.run(["generate.count=5"])
        let cache = VariantCache(root: notebook.output.appendingPathComponent(".cache"))
        let future = try #require(cache.fingerprints(of: "generate").first)
        let recordURL = cache.variantFolder("generate", fingerprint: future).appendingPathComponent("record.json")
        var text = try String(contentsOf: recordURL, encoding: .utf8)
        let date = try #require(text.range(of: #""startedAt" : "[^"]*""#, options: .regularExpression))
        text.replaceSubrange(date, with: #""startedAt" : "9999-12-31T23:59:59Z""#)
        try FileManager.default.removeItem(at: recordURL)
        try Data(text.utf8).write(to: recordURL)
        try notebook.run(["generate.count=6"])
        try notebook.run()
        // Keep one variant per stage besides the shown one: the newest by commit is count=6's.
        _ = try notebook.runner.collectGarbage(notebook.load(), policy: .keepLast(1), options: notebook.options())
        #expect(!cache.fingerprints(of: "generate").contains(future), "the variant dated 9999 outlived newer ones")
    }
}
