import Foundation
@testable import NBRunCore
import Testing

/// Issue 14, part 4 (what this branch covers of it): real processes, some running at once on
/// one notebook, are killed with SIGKILL at random moments while they compute and commit
/// variants. Afterwards no cached variant may be half there or hold bytes other than its
/// record says, and the next run completes every variant.
@Suite("SIGKILL during concurrent runs leaves no partial or corrupted variant")
struct VariantKillTests {
    static let manifest = """
        title: kills
        cells:
          - stage: generate
            kind: demo.generate
            parameters: {count: 400}
          - stage: square
            kind: demo.square
            reads: [generate]
          - stage: slow
            kind: demo.slow
            parameters: {steps: 4, step-milliseconds: 5}
            reads: [square]
          - stage: summarize
            kind: demo.summarize
            reads: [square]
        """

    func sha256(_ url: URL) throws -> String {
        try ContentHash.ofFile(at: url)
    }

    @Test func randomKillsNeverLeaveAPartialOrDamagedVariant() throws {
        let binary = try #require(nbrunBinary, "build the executable first: swift build --build-tests")
        let notebook = try TestNotebook(Self.manifest)
        var generator = SystemRandomNumberGenerator()
        let seeds = (1...6).map(String.init)
        for round in 0..<8 {
            // Two processes at once on different sweeps of the same notebook, each killed at a random moment.
            let processes = try (0..<2).map { index in
                try RunningNBRun(binary, ["Test.manifest", "--output", "out",
                                          "--sweep", "generate.seed=\(seeds.shuffled(using: &generator).prefix(3).joined(separator: ","))"],
                                 in: notebook.folder)
            }
            for process in processes {
                usleep(UInt32.random(in: 5_000...250_000, using: &generator))
                process.signal(SIGKILL)
                _ = process.finish()
            }
            try checkEveryCachedVariant(in: notebook.output, round: round)
        }
        let final = try RunningNBRun(binary, ["Test.manifest", "--output", "out", "--sweep", "generate.seed=\(seeds.joined(separator: ","))"],
                                     in: notebook.folder).finish()
        #expect(final.status == 0, "\(final.output)")
        try checkEveryCachedVariant(in: notebook.output, round: 99)
        let cache = VariantCache(root: notebook.output.appendingPathComponent(".cache"))
        for stage in ["generate", "square", "slow", "summarize"] {
            #expect(cache.fingerprints(of: stage).count == seeds.count, "\(stage): every seed's variant is cached")
        }
        // Everything is cached now: a last sweep computes nothing.
        let again = try RunningNBRun(binary, ["Test.manifest", "--output", "out", "--sweep", "generate.seed=\(seeds.joined(separator: ","))"],
                                     in: notebook.folder).finish()
        #expect(again.status == 0 && !again.output.contains("▶ "), "\(again.output)")
    }

    /// Every variant folder holds a readable record and exactly the bytes it lists, every
    /// object's name is the SHA-256 of its bytes.
    func checkEveryCachedVariant(in output: URL, round: Int) throws {
        let cache = VariantCache(root: output.appendingPathComponent(".cache"))
        for stage in ["generate", "square", "slow", "summarize"] {
            for fingerprint in cache.fingerprints(of: stage) {
                guard case .present(let record) = cache.loadVariant(stage, fingerprint: fingerprint) else {
                    Issue.record("round \(round): \(stage)/\(fingerprint) has no readable record"); continue
                }
                for artifact in record.artifacts {
                    let file = cache.variantFolder(stage, fingerprint: fingerprint).appendingPathComponent(artifact.name)
                    #expect(try sha256(file) == artifact.sha256, "round \(round): \(file.path)")
                }
            }
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: cache.objectsRoot.path)) ?? [] where !name.hasPrefix(".") {
            #expect(try sha256(cache.objectsRoot.appendingPathComponent(name)) == name, "round \(round): object \(name)")
        }
    }
}
