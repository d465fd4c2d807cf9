import DemoNotebook
import Foundation
import NBRunEngine
import NBRunTestSupport
import Testing

@Suite("Fingerprints: code tokens, parameters, data and upstream")
struct FingerprintTests {
    let base = """
        struct S: Stage {
            func run(_ context: StageContext) throws {
                let url = "http://example.com" // where
                context.print("total: \\(1 + 2)")
            }
        }
        """

    @Test func commentsAndWhitespaceDoNotChangeTheCodeHash() {
        let edited = """
            /// Documented now.
            struct S: Stage {
                /* a block /* with a nested */ comment */
                func run(_ context: StageContext)   throws {

                    let url = "http://example.com"    // a different comment
                    context.print("total: \\(1 /* inline */ + 2)")
                }
            }
            """
        #expect(SwiftCodeNormalizer.normalize(base) == SwiftCodeNormalizer.normalize(edited))
        #expect(FingerprintCalculator.codeHash(ofSource: base) == FingerprintCalculator.codeHash(ofSource: edited))
    }

    @Test func tokenChangesChangeTheCodeHash() {
        for edited in [base.replacingOccurrences(of: "1 + 2", with: "1 + 3"),
                       base.replacingOccurrences(of: "http://example.com", with: "http://example.org"),
                       base.replacingOccurrences(of: "total: ", with: "total:  ")] {
            #expect(FingerprintCalculator.codeHash(ofSource: base) != FingerprintCalculator.codeHash(ofSource: edited), "\(edited)")
        }
    }

    @Test func stringLiteralsKeepCommentLookalikes() {
        #expect(SwiftCodeNormalizer.normalize(#"let a = "x // y" // z"#) == #"let a = "x // y""#)
        #expect(SwiftCodeNormalizer.normalize(##"let b = #"a "/*" \(c)"# /* gone */"##) == ##"let b = #"a "/*" \(c)"#"##)
        #expect(SwiftCodeNormalizer.normalize("let c = \"\"\"\n  // kept\n  \"\"\"") == "let c = \"\"\"\n  // kept\n  \"\"\"")
        #expect(SwiftCodeNormalizer.normalize("a /* x /* y */ z */ b") == "a b")
    }

    /// The demo plugin with its embedded sources edited, as if the stage file had changed.
    struct EditedDemo: StagePlugin {
        var file: String
        var edit: @Sendable (String) -> String
        var name: String { "demo" }
        var stages: [EmbeddedStage] {
            DemoNotebookPlugin().stages.map { stage in
                var stage = stage
                if stage.fileName == file { stage.source = edit(stage.source) }
                return stage
            }
        }
        var libraryCode: LibraryCode { DemoNotebookPlugin().libraryCode }
        init(file: String, edit: @escaping @Sendable (String) -> String) {
            self.file = file
            self.edit = edit
        }
        init() { self.init(file: "", edit: { $0 }) }
    }

    func status(of notebook: TestNotebook, with plugin: EditedDemo) throws -> [String: StageDecision] {
        let runner = Runner(registry: try StageRegistry(plugins: [plugin]), console: notebook.console)
        let plans = try runner.status(try runner.loadManifest(notebook.manifestURL), options: notebook.options())
        return Dictionary(uniqueKeysWithValues: plans.map { ($0.stage.name, $0) })
    }

    @Test func commentOnlyEditKeepsStagesFreshTokenEditMakesThemStale() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let commented = try status(of: notebook, with: EditedDemo(file: "Square.swift") { "// A new comment.\n" + $0 + "\n   \n" })
        #expect(commented.values.allSatisfy { $0.freshness.isFresh })

        let changed = try status(of: notebook, with: EditedDemo(file: "Square.swift") {
            $0.replacingOccurrences(of: "$0 * $0", with: "$0 &* $0")
        })
        #expect(changed["generate"]?.freshness.isFresh == true)
        #expect(changed["histogram"]?.freshness.isFresh == true)
        #expect(changed["square"]?.changes == [.code])
        #expect(changed["summarize"]?.changes == [.upstream(stage: "square")])
    }

    @Test func proseEditsDoNotMakeAnythingStale() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        try notebook.write(TestNotebook.pipeline.replacingOccurrences(of: "Some *prose*", with: "Entirely different prose"))
        #expect(try notebook.status().values.allSatisfy { $0.freshness.isFresh })
        let result = try notebook.run()
        #expect(result.executed.isEmpty)
        #expect(try notebook.report().contains("Entirely different prose before the stages."))
    }

    @Test func replacingInputDataMakesTheStageStale() throws {
        let notebook = try TestNotebook("""
            title: words
            cells:
              - stage: words
                kind: demo.count-words
                parameters: {text: input.txt}
            """)
        try notebook.writeFile("input.txt", "one two three")
        try notebook.run()
        #expect(try notebook.read("words", "word-count.txt") == "3\n")
        try notebook.writeFile("input.txt", "one two three four")
        let plan = try #require(try notebook.status()["words"])
        #expect(plan.changes == [.inputData(parameter: "text", path: "input.txt")])
        #expect(plan.freshness.summary == "stale: input data changed: input.txt (parameter text)")
        #expect(try notebook.run().executed == ["words"])
        #expect(try notebook.read("words", "word-count.txt") == "4\n")
    }

    @Test func folderContentHashCoversNamesAndContents() throws {
        let notebook = try TestNotebook()
        let folder = notebook.folder.appendingPathComponent("data/inner")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("a".utf8).write(to: folder.appendingPathComponent("x.bin"))
        let root = notebook.folder.appendingPathComponent("data")
        let first = try ContentHash.ofItem(at: root)
        try Data("b".utf8).write(to: folder.appendingPathComponent("x.bin"))
        let second = try ContentHash.ofItem(at: root)
        try FileManager.default.moveItem(at: folder.appendingPathComponent("x.bin"), to: folder.appendingPathComponent("y.bin"))
        let third = try ContentHash.ofItem(at: root)
        #expect(Set([first, second, third]).count == 3)
        #expect(try ContentHash.ofItem(at: root) == third)
    }

    @Test func folderHashDoesNotFollowLinksToFolders() throws {
        let notebook = try TestNotebook()
        let root = notebook.folder.appendingPathComponent("data")
        let inner = root.appendingPathComponent("inner")
        try FileManager.default.createDirectory(at: inner, withIntermediateDirectories: true)
        try Data("a".utf8).write(to: inner.appendingPathComponent("x.bin"))
        let fileManager = FileManager.default
        try fileManager.createSymbolicLink(atPath: inner.appendingPathComponent("up").path, withDestinationPath: "..")
        try fileManager.createSymbolicLink(atPath: root.appendingPathComponent("self").path, withDestinationPath: ".")
        try fileManager.createSymbolicLink(atPath: root.appendingPathComponent("everything").path, withDestinationPath: "/")
        try fileManager.createSymbolicLink(atPath: root.appendingPathComponent("dangling").path, withDestinationPath: "no-such-file")

        let clock = ContinuousClock()
        var first = ""
        let elapsed = try clock.measure { first = try ContentHash.ofItem(at: root) }
        #expect(elapsed < .seconds(2), "hashing a folder with link loops took \(elapsed)")
        #expect(try ContentHash.ofItem(at: root) == first)

        try fileManager.removeItem(at: inner.appendingPathComponent("up"))
        try fileManager.createSymbolicLink(atPath: inner.appendingPathComponent("up").path, withDestinationPath: "../..")
        #expect(try ContentHash.ofItem(at: root) != first, "the link's target is part of the hash")
    }

    @Test func linkToAFileCountsAsTheFilesContent() throws {
        let notebook = try TestNotebook()
        let root = notebook.folder.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let outside = notebook.folder.appendingPathComponent("real.bin")
        try Data("one".utf8).write(to: outside)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("linked.bin").path, withDestinationPath: outside.path)
        let before = try ContentHash.ofItem(at: root)
        try Data("two".utf8).write(to: outside)
        #expect(try ContentHash.ofItem(at: root) != before)
    }

    @Test func whyAndStatusNameWhatChanged() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let runner = notebook.runner
        let manifest = try notebook.load(["generate.count=8"])
        let why = try runner.why(manifest, stage: "square", options: notebook.options())
        #expect(why.decision.runs)
        #expect(why.decision.freshness.causes == [.changed(.upstream(stage: "generate"))])
        #expect(why.upstream["generate"]?.freshness.causes == [.changed(.parameter(name: "count", old: "20", new: "8"))])
        #expect(why.decision.freshness.record?.stage == "square", "what the cached run cost comes from its record")
        let whyGenerate = try runner.why(manifest, stage: "generate", options: notebook.options())
        #expect(whyGenerate.decision.summary == "stale: parameter count changed: 20 → 8")
        #expect(whyGenerate.upstream.isEmpty)
        let fresh = try runner.why(try notebook.load(), stage: "square", options: notebook.options())
        #expect(fresh.decision.usesCache && fresh.decision.freshness.isFresh)

        let empty = try TestNotebook()
        #expect(try empty.status()["generate"]?.freshness.summary == "never run")
        #expect(throws: RunError.self) { try runner.why(manifest, stage: "nope", options: notebook.options()) }
    }
}
