import Foundation
import NBRunEngine
import NBRunTestSupport
import SeededRandom
import Testing

/// Fuzzing for paths that are not regular files: random folder trees holding FIFOs, links to
/// `/dev/zero`, `/dev/null`, FIFOs, `..`, `/`, dangling links and nbrun-marked output
/// folders are hashed as data, and random `record.json` files name hostile artifacts (with
/// `..`, absolute paths, FIFOs and device links in their place). Nothing may hang or crash;
/// a tree is refused by name exactly when it holds a non-regular file outside a marked
/// output folder, and a record naming anything outside its folder is damaged.
///
/// `NBRUN_FUZZ_ITERATIONS` (default 600) sets the count, e.g.
/// `NBRUN_FUZZ_ITERATIONS=1000000 swift test -c release --filter NonRegularPathFuzzTests`.
@Suite("Non-regular files as paths: fuzzing")
struct NonRegularPathFuzzTests {
    static var iterations: Int {
        ProcessInfo.processInfo.environment["NBRUN_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 600
    }

    /// Builds a random tree at `url`; true when it holds a non-regular file that hashing must refuse.
    static func build(at url: URL, depth: Int, outside: URL, using generator: inout SplitMix64) throws -> Bool {
        let fileManager = FileManager.default
        var refused = false
        for index in 0..<Int.random(in: 0...4, using: &generator) {
            let child = url.appendingPathComponent("e\(index)")
            switch Int.random(in: 0...10, using: &generator) {
            case 0, 1:
                try Data((0..<Int.random(in: 0...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: child)
            case 2 where depth < 3:
                try fileManager.createDirectory(at: child, withIntermediateDirectories: false)
                refused = try build(at: child, depth: depth + 1, outside: outside, using: &generator) || refused
            case 3 where depth < 3:
                // Some notebook's output inside the data: left out of the hash, whatever it holds.
                try OutputFolder(url: child).claim(stageNames: [])
                _ = try build(at: child, depth: depth + 1, outside: outside, using: &generator)
            case 4:
                guard mkfifo(child.path, 0o644) == 0 else { throw CocoaError(.fileWriteUnknown) }
                refused = true
            case 5:
                try fileManager.createSymbolicLink(atPath: child.path, withDestinationPath: "/dev/zero")
                refused = true
            case 6:
                try fileManager.createSymbolicLink(atPath: child.path, withDestinationPath: outside.appendingPathComponent("pipe").path)
                refused = true
            case 7:
                try fileManager.createSymbolicLink(atPath: child.path, withDestinationPath: "/dev/null")
                refused = true
            case 8:
                try fileManager.createSymbolicLink(atPath: child.path, withDestinationPath: ["..", "/", ".", "../.."].randomElement(using: &generator)!)
            case 9:
                try fileManager.createSymbolicLink(atPath: child.path, withDestinationPath: "missing-\(index)")
            default:
                try fileManager.createSymbolicLink(atPath: child.path, withDestinationPath: outside.appendingPathComponent("regular.txt").path)
            }
        }
        return refused
    }

    static let hostileNames = [
        "../../../../dev/zero", "/dev/zero", "..", ".", "", "a/b", ".hidden", "record.json", "../record.json",
        "numbers.txt", "ok.txt", "zero", "pipe", "ünïcode.bin", "name with spaces",
    ]

    @Test func hashingNeverHangsAndRefusesExactlyTheNonRegularTrees() throws {
        let sandbox = try Sandbox()
        let outside = try sandbox.folder("outside")
        guard mkfifo(outside.appendingPathComponent("pipe").path, 0o644) == 0 else { throw CocoaError(.fileWriteUnknown) }
        try Data("regular".utf8).write(to: outside.appendingPathComponent("regular.txt"))
        var generator = SplitMix64(seed: 20261126)
        var refusedCount = 0
        let started = Date()
        for iteration in 0..<Self.iterations {
            let root = sandbox.url("tree")
            try NoFollowRemoval.removeTree(atPath: root.path)
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: false)
            let mustRefuse = try Self.build(at: root, depth: 0, outside: outside, using: &generator)
            do {
                let first = try ContentHash.ofItem(at: root)
                #expect(!mustRefuse, "iteration \(iteration): a tree with a non-regular file was hashed")
                #expect(try ContentHash.ofItem(at: root) == first, "iteration \(iteration): hashing is deterministic")
            } catch let error as StorageError {
                guard case .notARegularFile = error else {
                    Issue.record("iteration \(iteration): \(error)")
                    break
                }
                #expect(mustRefuse, "iteration \(iteration): refused a regular tree: \(error)")
                refusedCount += 1
            }
        }
        print("non-regular path fuzz: \(Self.iterations) trees, \(refusedCount) refused, \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }

    @Test func hostileArtifactNamesInRecordsAreDamagedAndNeverHang() throws {
        let notebook = try TestNotebook("""
            title: records
            cells:
              - stage: generate
                kind: demo.generate
            """)
        try notebook.run()
        let store = ArtifactStore(outputDirectory: notebook.output)
        let recordURL = store.recordURL("generate")
        let template = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: recordURL)) as? [String: Any])
        let folder = store.stageDirectory("generate")
        var generator = SplitMix64(seed: 7)
        var damaged = 0
        for iteration in 0..<max(1, Self.iterations / 3) {
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name != "record.json" {
                try NoFollowRemoval.removeTree(atPath: folder.appendingPathComponent(name).path)
            }
            var artifacts: [[String: Any]] = []
            var hostile = false
            var used: Set<String> = []
            for _ in 0..<Int.random(in: 0...3, using: &generator) {
                let name = Self.hostileNames.randomElement(using: &generator)!
                // A name given twice would have the test itself write into the FIFO it just made.
                guard used.insert(name).inserted else { continue }
                let valid = !name.isEmpty && !name.contains("/") && !name.hasPrefix(".") && name != "record.json"
                hostile = hostile || !valid
                artifacts.append(["name": name, "sha256": String(repeating: "0", count: 64), "size": Int.random(in: 0...8, using: &generator)])
                guard valid else { continue }
                let url = folder.appendingPathComponent(name)
                switch Int.random(in: 0...4, using: &generator) {
                case 0: _ = mkfifo(url.path, 0o644)
                case 1: try? FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: "/dev/zero")
                case 2: break
                default: try? Data(repeating: 65, count: Int.random(in: 0...8, using: &generator)).write(to: url)
                }
            }
            var record = template
            record["artifacts"] = artifacts
            try JSONSerialization.data(withJSONObject: record).write(to: recordURL)
            switch store.loadRecord("generate") {
            case .damaged(let reason):
                #expect(hostile, "iteration \(iteration): \(reason)")
                damaged += 1
            case .present(let loaded):
                #expect(!hostile, "iteration \(iteration): a record naming \(artifacts) was accepted")
                _ = store.quickCheck(loaded)
                #expect(store.verify(loaded) != nil || loaded.artifacts.isEmpty, "iteration \(iteration): zero hashes cannot verify")
            case .missing:
                Issue.record("iteration \(iteration): record vanished")
            }
        }
        print("record fuzz: \(max(1, Self.iterations / 3)) records, \(damaged) damaged")
    }
}
