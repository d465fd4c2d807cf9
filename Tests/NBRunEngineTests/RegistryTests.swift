import DemoNotebook
import Foundation
import NBRunEngine
import Testing

@Suite("Plugin registration")
struct RegistryTests {
    /// The report and the fingerprint must show each stage's own file, as compiled; the
    /// file and the kind's prefix are derived, never declared.
    @Test func everyStageEmbedsItsOwnSourceFile() throws {
        let registry = try StageRegistry(plugins: [DemoNotebookPlugin()])
        #expect(registry.kinds == ["demo.count-words", "demo.fail", "demo.generate", "demo.histogram",
                                   "demo.slow", "demo.square", "demo.summarize"])
        for kind in registry.kinds {
            let entry = try #require(registry[kind])
            #expect(entry.kind == kind)
            #expect(entry.source.contains("static let name = \"\(kind.dropFirst("demo.".count))\""), "\(kind)")
            #expect(entry.source.contains("struct \(entry.stageType): Stage"), "\(kind)")
            #expect(entry.source.contains("func run(_ context: StageContext) throws"))
        }
        #expect(registry["demo.square"]?.fileName == "Square.swift")
        #expect(registry["demo.count-words"]?.fileName == "CountWords.swift")
    }

    struct Renamed: StagePlugin {
        var name = "other"
        var stages: [EmbeddedStage] { DemoNotebookPlugin().stages }
        var libraryCode: LibraryCode { DemoNotebookPlugin().libraryCode }
    }

    struct BadlyNamedStage: Stage {
        static let name = "Bad.Name"
        static let summary = "A name a manifest cannot use."
        static let parameters: [ParameterSpec] = []
        func run(_ context: StageContext) throws {}
    }

    struct BadStagePlugin: StagePlugin {
        var name: String { "demo" }
        var stages: [EmbeddedStage] { [EmbeddedStage(type: BadlyNamedStage.self, fileName: "Bad.swift", source: "")] }
        var libraryCode: LibraryCode { LibraryCode() }
    }

    @Test func thePrefixComesFromThePlugin() throws {
        let registry = try StageRegistry(plugins: [Renamed()])
        #expect(registry.kinds.first == "other.count-words")
        #expect(registry["other.square"]?.pluginName == "other")
    }

    @Test func registrationErrorsAreTyped() {
        #expect(throws: RegistryError.duplicateKind("demo.count-words")) {
            try StageRegistry(plugins: [DemoNotebookPlugin(), DemoNotebookPlugin()])
        }
        for bad in ["", "Other", "a.b", "-x", "with space", "1st"] {
            #expect(throws: RegistryError.invalidName(bad, of: "a plugin")) { try StageRegistry(plugins: [Renamed(name: bad)]) }
        }
        #expect(throws: RegistryError.self) { try StageRegistry(plugins: [BadStagePlugin()]) }
        let error = RegistryError.invalidName("Bad.Name", of: "stage BadlyNamedStage of plugin 'demo'")
        #expect(error.description.contains("'Bad.Name'"))
    }
}
