import Foundation
import Testing

/// Two runs creating the same new output folder at the same instant, through the real
/// executable: exactly one of them made the folder, so the marker must say nbrun created
/// it, and `clean` must then remove the folder entirely (an adopted folder would stay).
@Suite("Two runs creating one output folder at once")
struct ConcurrentCreationProcessTests {
    static let manifest = """
        title: racing
        cells:
          - stage: generate
            kind: demo.generate
            parameters: {count: 3}
        """

    /// Many pairs, each on a fresh folder: the window between one run's `mkdir` and its marker
    /// is short, so a single pair would rarely hit it.
    @Test func cleanRemovesAFolderThatTwoRunsCreatedTogether() throws {
        let sandbox = try Sandbox()
        try sandbox.file("nb/Test.manifest", Self.manifest)
        let binary = try #require(nbrunBinary, "no nbrun executable next to the test bundle: run `swift build --build-tests` first")
        let folder = sandbox.url("nb")
        var adopted: [String] = []
        for pair in 0..<24 {
            let output = "parent-\(pair)/fresh"
            let runs = try (0..<2).map { _ in try RunningNBRun(binary, ["Test.manifest", "--output", output], in: folder) }
            for run in runs {
                let (status, text) = run.finish()
                #expect(status == 0, "pair \(pair): \(text)")
                try? FileManager.default.removeItem(at: run.log)
            }
            let marker = try String(contentsOf: sandbox.url("nb/\(output)/.nbrun-output"), encoding: .utf8)
            if !marker.contains("\"createdFolder\" : true") { adopted.append("pair \(pair): \(marker)") }
            let clean = try sandbox.nbrun(["clean", "Test.manifest", "--output", output], in: "nb")
            #expect(clean.status == 0, "pair \(pair): \(clean.output)")
            #expect(!sandbox.exists("nb/\(output)"), "pair \(pair): clean left the folder: \(clean.output)")
            #expect(sandbox.exists("nb/parent-\(pair)"), "the parent, made by mkdir -p for the run, is not nbrun's to remove")
        }
        #expect(adopted == [], "folders one of the two runs created were recorded as adopted")
    }

    /// The other side: an empty folder the user made stays after `clean`, even when two runs
    /// adopt it at the same instant.
    @Test func cleanLeavesAnEmptyFolderTwoRunsAdoptedTogether() throws {
        let sandbox = try Sandbox()
        try sandbox.file("nb/Test.manifest", Self.manifest)
        let binary = try #require(nbrunBinary, "no nbrun executable next to the test bundle: run `swift build --build-tests` first")
        for pair in 0..<6 {
            let output = "mine-\(pair)"
            try sandbox.folder("nb/\(output)")
            let runs = try (0..<2).map { _ in try RunningNBRun(binary, ["Test.manifest", "--output", output], in: sandbox.url("nb")) }
            for run in runs {
                let (status, text) = run.finish()
                #expect(status == 0, "pair \(pair): \(text)")
                try? FileManager.default.removeItem(at: run.log)
            }
            let clean = try sandbox.nbrun(["clean", "Test.manifest", "--output", output], in: "nb")
            #expect(clean.status == 0, "pair \(pair): \(clean.output)")
            #expect((try? FileManager.default.contentsOfDirectory(atPath: sandbox.url("nb/\(output)").path)) == [],
                    "pair \(pair): the user's folder stays, empty: \(clean.output)")
        }
    }
}
