import Foundation
@testable import NBRunCore
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
}
