import Foundation
@testable import NBRun
@testable import NBRunEngine
import NBRunTestSupport
import Testing

/// Issue 14, part 4: locks are taken per variant, not per output folder. Real nbrun
/// processes on one notebook: different variants are computed at the same time, the same
/// variant once.
@Suite("Two nbrun processes on one notebook: other variants at once, the same variant once")
struct ConcurrentVariantTests {
    static let manifest = """
        title: concurrent variants
        cells:
          - stage: generate
            kind: demo.generate
            parameters: {count: 200}
          - stage: slow
            kind: demo.slow
            parameters: {steps: 30, step-milliseconds: 50}
            reads: [generate]
        """

    func binary() throws -> URL {
        try #require(nbrunBinary, "no nbrun executable next to the test bundle: run `swift build --build-tests` before `swift test --skip-build`")
    }

    /// When the variant `fingerprint` of `stage` was computed, from its own record.
    func window(_ cache: VariantCache, _ stage: String, _ fingerprint: String) throws -> (start: Date, end: Date) {
        guard case .present(let record) = cache.loadVariant(stage, fingerprint: fingerprint) else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: cache.variantFolder(stage, fingerprint: fingerprint).path])
        }
        return (record.startedAt, record.startedAt.addingTimeInterval(record.durationSeconds))
    }

    @Test func differentVariantsAreComputedAtTheSameTime() throws {
        let binary = try binary()
        let notebook = try TestNotebook(Self.manifest)
        let processes = try [30, 31].map { steps in
            try RunningNBRun(binary, ["Test.manifest", "--output", "out", "--set", "slow.steps=\(steps)"], in: notebook.folder)
        }
        let results = processes.map { $0.finish() }
        for result in results { #expect(result.status == 0, "\(result.output)") }
        for result in results {
            #expect(result.output.contains("▶ slow"), "each process computes its own variant: \(result.output)")
            #expect(!result.output.contains("waiting for another nbrun computing slow"), "\(result.output)")
        }
        let cache = VariantCache(root: notebook.output.appendingPathComponent(".cache"))
        let fingerprints = cache.fingerprints(of: "slow")
        try #require(fingerprints.count == 2)
        let windows = try fingerprints.map { try window(cache, "slow", $0) }
        // Each took 1.5 s; run one after the other, the later would start after the earlier ended.
        let latestStart = windows.map(\.start).max()!, earliestEnd = windows.map(\.end).min()!
        #expect(latestStart < earliestEnd, "the two variants' computations did not overlap: \(windows)")

        // The view and the report show one run's variant, whole.
        let store = ArtifactStore(outputDirectory: notebook.output)
        guard case .present(let shown) = store.loadRecord("slow") else { Issue.record("no view of slow"); return }
        #expect(fingerprints.contains(shown.fingerprint))
        #expect(store.verify(shown) == nil)
        let steps = try String(contentsOf: notebook.output.appendingPathComponent("slow/steps.txt"), encoding: .utf8)
        let report = try String(contentsOf: notebook.output.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("waited \(steps.trimmingCharacters(in: .whitespacesAndNewlines)) steps"))
    }

    @Test func theSameVariantIsComputedOnceAndReused() throws {
        let binary = try binary()
        let notebook = try TestNotebook(Self.manifest)
        let first = try RunningNBRun(binary, ["Test.manifest", "--output", "out"], in: notebook.folder)
        try first.waitForOutput(containing: "▶ slow")
        let second = try RunningNBRun(binary, ["Test.manifest", "--output", "out"], in: notebook.folder)
        try second.waitForOutput(containing: "waiting for another nbrun computing slow")
        let results = [first.finish(), second.finish()]
        for result in results { #expect(result.status == 0, "\(result.output)") }
        let both = results.map(\.output).joined(separator: "\n")
        #expect(both.components(separatedBy: "▶ slow").count == 2, "slow ran exactly once: \(both)")
        #expect(both.components(separatedBy: "▶ generate").count == 2, "generate ran exactly once: \(both)")
        #expect(results[1].output.contains("↺ slow: reused the variant another nbrun computed"), "\(results[1].output)")
        let cache = VariantCache(root: notebook.output.appendingPathComponent(".cache"))
        #expect(cache.fingerprints(of: "slow").count == 1)
        let store = ArtifactStore(outputDirectory: notebook.output)
        guard case .present(let shown) = store.loadRecord("slow") else { Issue.record("no view of slow"); return }
        #expect(store.verify(shown) == nil)
        // Both found the same result: a third run computes nothing.
        let third = try RunningNBRun(binary, ["Test.manifest", "--output", "out"], in: notebook.folder).finish()
        #expect(third.status == 0 && !third.output.contains("▶ "), "\(third.output)")
    }

    /// `RunOptions.cacheDirectory` (the CLI's `--cache`, for several nodes sharing one cache):
    /// two runs with different output folders and one cache compute a shared variant once; the
    /// second waits for the first and reuses it. Two runs in this process, because the option
    /// is not on the command line yet; the locks are `flock`s on separately opened files, which
    /// exclude each other within a process exactly as across processes (FingerprintLockTests
    /// shows the same lock against another process).
    @Test func twoOutputFoldersSharingACacheComputeAVariantOnce() throws {
        let notebook = try TestNotebook(Self.manifest)
        let manifest = try notebook.load()
        let shared = notebook.folder.appendingPathComponent("shared-cache", isDirectory: true)
        let outputs = ["a", "b"].map { notebook.folder.appendingPathComponent($0, isDirectory: true) }
        let consoles = [Console.recording(), Console.recording()]
        let results = [Box<RunResult?>(nil), Box<RunResult?>(nil)]
        func start(_ index: Int) {
            Thread {
                var options = RunOptions()
                options.outputDirectory = outputs[index]
                options.cacheDirectory = shared
                options.threadCount = 1
                results[index].value = try? Runner(registry: notebook.registry, console: consoles[index]).run(manifest, options: options)
            }.start()
        }
        func waitUntil(_ condition: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(60)
            while !condition(), Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            return condition()
        }
        start(0)
        try #require(waitUntil { consoles[0].text.contains("▶ slow") }, "\(consoles[0].text)")
        start(1)
        #expect(waitUntil { consoles[1].text.contains("waiting for another nbrun computing slow") }, "\(consoles[1].text)")
        try #require(waitUntil { results[0].value != nil && results[1].value != nil })
        for (index, result) in results.enumerated() {
            #expect(result.value?.exitCode == 0, "\(consoles[index].text)")
        }
        #expect(results[0].value?.executed == ["generate", "slow"])
        #expect(results[1].value?.executed == [], "the second run computed nothing: \(consoles[1].text)")
        #expect(consoles[1].text.contains("↺ slow: reused the variant another nbrun computed"), "\(consoles[1].text)")
        let cache = VariantCache(root: shared)
        #expect(cache.fingerprints(of: "slow").count == 1 && cache.fingerprints(of: "generate").count == 1)
        for output in outputs {
            #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent(".cache").path),
                    "nothing is cached inside \(output.lastPathComponent)/")
            let store = ArtifactStore(outputDirectory: output, cacheDirectory: shared)
            guard case .present(let shown) = store.loadRecord("slow") else { Issue.record("no view of slow in \(output.path)"); continue }
            #expect(cache.fingerprints(of: "slow") == [shown.fingerprint])
            #expect(store.verify(shown) == nil)
            // The view's files are the cached variant's (hard links), not copies.
            #expect(FileLinking.sameFile(output.appendingPathComponent("slow/steps.txt").path,
                                         cache.variantFolder("slow", fingerprint: shown.fingerprint).appendingPathComponent("steps.txt").path))
        }
        #expect(FileKind.of(FingerprintLock.url(cacheRoot: shared, stage: "slow", fingerprint: cache.fingerprints(of: "slow")[0]).path).isRegularFile,
                "the variant's lock lives in the shared cache")
        #expect(FileKind.of(RunLock.url(cacheRoot: shared).path).isRegularFile, "and so does the run lock")
    }
}
