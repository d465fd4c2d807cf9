import Foundation
@testable import NBRunEngine
import NBRunTestSupport
import SeededRandom
import Testing

/// Issue 27, defect 1: an artifact edited in place (read-only does not stop root) changes the
/// object every variant with those bytes links to. Recomputing must not link the fresh bytes
/// to that object again, and restoring a variant must not bring damaged bytes into a view.
/// Real nbrun processes on two output folders sharing one cache.
@Suite("Edited cache objects are replaced, never reused or restored")
struct EditedObjectTests {
    static let manifest = """
        title: edits
        cells:
          - stage: generate
            kind: demo.generate
            parameters: {count: 30}
          - stage: square
            kind: demo.square
            reads: [generate]
          - stage: summarize
            kind: demo.summarize
            reads: [square]
          - stage: progress
            kind: demo.slow
            parameters: {steps: 5, step-milliseconds: 1}
        """
    static let stages = ["generate", "square", "summarize", "progress"]

    /// Overwrites the first byte of `url` in place (same inode, same size, other bytes).
    static func editInPlace(_ url: URL) throws {
        let handle = try FileHandle(forUpdating: url)
        defer { try? handle.close() }
        let first = try handle.read(upToCount: 1) ?? Data()
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: Data([first.first.map { $0 ^ 0x01 } ?? 0x41]))
    }

    /// The artifacts of `stage` in `output` that do not hash to what its record says.
    static func mismatches(_ stage: String, in output: URL) -> [String] {
        let store = ArtifactStore(outputDirectory: output)
        guard case .present(let record) = store.loadRecord(stage) else { return ["\(stage): no readable record"] }
        return record.artifacts.compactMap { artifact in
            let url = store.stageDirectory(stage).appendingPathComponent(artifact.name)
            let found = (try? ContentHash.ofFile(at: url)) ?? "unreadable"
            return found == artifact.sha256 ? nil : "\(url.path): \(found.prefix(12)), recorded \(artifact.sha256.prefix(12))"
        }
    }

    @Test func recomputingAfterAnInPlaceEditStoresTheFreshBytes() throws {
        let binary = try #require(nbrunBinary, "build the executable first: swift build --build-tests")
        let notebook = try TestNotebook(Self.manifest)
        let steps = notebook.artifact("progress", "steps.txt")
        let first = try RunningNBRun(binary, ["Test.manifest", "--output", "out"], in: notebook.folder).finish()
        try #require(first.status == 0, "\(first.output)")
        let original = try String(contentsOf: steps, encoding: .utf8)
        try Self.editInPlace(steps)
        // The issue's repro: another variant of the stage, then the edited one again with --force.
        for arguments in [["--set", "progress.step-milliseconds=2"], ["--force"], ["--stage", "progress", "--force"]] {
            let run = try RunningNBRun(binary, ["Test.manifest", "--output", "out"] + arguments, in: notebook.folder).finish()
            #expect(run.status == 0, "\(arguments): \(run.output)")
            #expect(try String(contentsOf: steps, encoding: .utf8) == original, "\(arguments)")
            #expect(Self.mismatches("progress", in: notebook.output).isEmpty, "\(arguments): \(Self.mismatches("progress", in: notebook.output))")
        }
        let objects = notebook.output.appendingPathComponent(".cache/objects")
        for name in try FileManager.default.contentsOfDirectory(atPath: objects.path) where !name.hasPrefix(".") {
            #expect(try ContentHash.ofFile(at: objects.appendingPathComponent(name)) == name, "object \(name)")
        }
    }

    @Test func aSecondOutputFolderNeverRestoresAnEditedObject() throws {
        let binary = try #require(nbrunBinary, "build the executable first: swift build --build-tests")
        let notebook = try TestNotebook(Self.manifest)
        let first = try RunningNBRun(binary, ["Test.manifest", "--output", "a", "--cache", "c"], in: notebook.folder).finish()
        try #require(first.status == 0, "\(first.output)")
        try Self.editInPlace(notebook.folder.appendingPathComponent("a/generate/numbers.txt"))
        let second = try RunningNBRun(binary, ["Test.manifest", "--output", "b", "--cache", "c"], in: notebook.folder).finish()
        #expect(second.status == 0, "\(second.output)")
        #expect(second.output.contains("recomputing stage generate"), "\(second.output)")
        for stage in Self.stages {
            let wrong = Self.mismatches(stage, in: notebook.folder.appendingPathComponent("b"))
            #expect(wrong.isEmpty, "\(wrong)")
        }
    }

    /// Edits, truncations and replacements of artifacts in both views and in the cache, mixed
    /// at random with runs, `--force`, `--stage`, going back to other variants and `gc`. No
    /// command may fail, and after each run every stage it computed, reused or restored shows
    /// the bytes its record names (a `--force` run: every stage). The seed is printed.
    @Test func randomDamageNeverSurvivesARunThatWroteTheStage() throws {
        let notebook = try TestNotebook(Self.manifest)
        try randomDamage(notebook, cache: notebook.folder.appendingPathComponent("c"))
    }

    /// Defect 11: the same with the cache on a tmpfs this test mounts, the output folders on
    /// the temporary folder's file system. Inside the cache, every variant's files are links
    /// to the objects (one copy, read-only), and `runs` does not call the view's copies links.
    @Test func randomDamageWithTheCacheOnAnotherFileSystem() throws {
        let notebook = try TestNotebook(Self.manifest)
        guard let mount = try TmpfsMount(in: notebook.folder) else { return }
        // Unmounted before the notebook's folder is removed (which names it here to live that long).
        defer { mount.unmount(); withExtendedLifetime(notebook) {} }
        let binary = try #require(nbrunBinary, "build the executable first: swift build --build-tests")
        let first = try RunningNBRun(binary, ["Test.manifest", "--output", "a", "--cache", mount.folder.path], in: notebook.folder).finish()
        try #require(first.status == 0, "\(first.output)")
        let cache = VariantCache(root: mount.folder)
        for stage in Self.stages {
            for fingerprint in cache.fingerprints(of: stage) {
                guard case .present(let record) = cache.loadVariant(stage, fingerprint: fingerprint) else { continue }
                for artifact in record.artifacts {
                    let file = cache.variantFolder(stage, fingerprint: fingerprint).appendingPathComponent(artifact.name)
                    #expect(FileLinking.sameFile(file.path, cache.objectURL(artifact.sha256).path), "\(file.path) is a second copy")
                    var info = stat()
                    #expect(lstat(file.path, &info) == 0 && info.st_mode & 0o222 == 0, "\(file.path) is writable")
                }
            }
        }
        let runs = try RunningNBRun(binary, ["runs", "Test.manifest", "--output", "a", "--cache", mount.folder.path], in: notebook.folder).finish()
        #expect(runs.output.contains("its files are copies") && !runs.output.contains("files are links"), "\(runs.output)")
        try randomDamage(notebook, cache: mount.folder)
    }

    func randomDamage(_ notebook: TestNotebook, cache: URL) throws {
        let binary = try #require(nbrunBinary, "build the executable first: swift build --build-tests")
        let seed = UInt64(ProcessInfo.processInfo.environment["NBRUN_EDIT_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64.max >> 1)
        print("EditedObjectTests: seed \(seed) (NBRUN_EDIT_SEED=\(seed) repeats it)")
        var random = SplitMix64(seed: seed)
        let outputs = ["a", "b"]
        let steps = Int(ProcessInfo.processInfo.environment["NBRUN_EDIT_STEPS"] ?? "") ?? 150
        var damaged = 0, runs = 0
        for step in 0..<steps {
            let output = outputs.randomElement(using: &random)!
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4:
                if try damageOne(in: notebook.folder, cache: cache, random: &random) != nil { damaged += 1 }
            case 4:
                let gc = try RunningNBRun(binary, ["gc", "Test.manifest", "--output", output, "--cache", cache.path,
                                                   "--keep-last", String(Int.random(in: 0...2, using: &random))],
                                          in: notebook.folder).finish()
                #expect(gc.status == 0, "step \(step), seed \(seed): \(gc.output)")
            default:
                var arguments = ["Test.manifest", "--output", output, "--cache", cache.path,
                                 "--set", "generate.seed=\(Int.random(in: 1...2, using: &random))",
                                 "--set", "progress.steps=\(Int.random(in: 4...5, using: &random))"]
                let force = Bool.random(using: &random)
                let stage = Int.random(in: 0..<3, using: &random) == 0 ? Self.stages.randomElement(using: &random) : nil
                if force { arguments.append("--force") }
                if let stage { arguments += ["--stage", stage] }
                let run = try RunningNBRun(binary, arguments, in: notebook.folder).finish()
                runs += 1
                #expect(run.status == 0, "step \(step), seed \(seed), \(arguments): \(run.output)")
                guard run.status == 0 else { continue }
                let written = Self.stages.filter { stage in
                    (force && arguments.contains("--stage") == false)
                        || run.output.contains("✓ \(stage) in") || run.output.contains("↺ \(stage):")
                }
                for stage in written {
                    let wrong = Self.mismatches(stage, in: notebook.folder.appendingPathComponent(output))
                    #expect(wrong.isEmpty, "step \(step), seed \(seed), \(arguments): \(wrong)\n\(run.output)")
                }
            }
        }
        print("EditedObjectTests: \(runs) runs, \(damaged) files damaged")
    }

    /// Edits in place, truncates or replaces (a new file of the same size) one random artifact
    /// of a view or of the cache, or one object. Returns its path, or nil when none exists yet.
    func damageOne(in folder: URL, cache cacheRoot: URL, random: inout SplitMix64) throws -> String? {
        var candidates: [URL] = []
        for output in ["a", "b"] {
            for stage in Self.stages {
                let url = folder.appendingPathComponent(output).appendingPathComponent(stage)
                for name in (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [] where name != "record.json" {
                    candidates.append(url.appendingPathComponent(name))
                }
            }
        }
        let cache = VariantCache(root: cacheRoot)
        for stage in Self.stages {
            for fingerprint in cache.fingerprints(of: stage) {
                let url = cache.variantFolder(stage, fingerprint: fingerprint)
                for name in (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [] where name != "record.json" {
                    candidates.append(url.appendingPathComponent(name))
                }
            }
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: cache.objectsRoot.path)) ?? [] where !name.hasPrefix(".") {
            candidates.append(cache.objectsRoot.appendingPathComponent(name))
        }
        guard let target = candidates.randomElement(using: &random) else { return nil }
        let bytes = try Data(contentsOf: target)
        switch Int.random(in: 0..<3, using: &random) {
        case 0:
            try Self.editInPlace(target)
        case 1:
            guard truncate(target.path, off_t(bytes.count / 2)) == 0 else { throw CocoaError(.fileWriteUnknown) }
        default:
            try FileManager.default.removeItem(at: target)
            try Data(bytes.map { $0 ^ 0x20 }).write(to: target)
        }
        return target.path
    }
}
