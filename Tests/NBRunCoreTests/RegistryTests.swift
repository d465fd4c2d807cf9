import DemoNotebook
import Foundation
import NBRunCore
import Testing

@Suite("Plugin registration")
struct RegistryTests {
    /// The report and the fingerprint must show each stage's own file, as compiled.
    @Test func everyStageEmbedsItsOwnSourceFile() throws {
        let registry = try StageRegistry(plugins: [DemoNotebookPlugin()])
        #expect(registry.kinds == ["demo.count-words", "demo.fail", "demo.generate", "demo.histogram",
                                   "demo.slow", "demo.square", "demo.summarize"])
        for kind in registry.kinds {
            let entry = try #require(registry[kind])
            #expect(entry.source.contains("static let kind = \"\(kind)\""), "\(kind)")
            #expect(entry.source.contains("func run(_ context: StageContext) throws"))
        }
    }

    struct Misnamed: StagePlugin {
        var name: String { "other" }
        var stages: [any Stage.Type] { DemoNotebookPlugin().stages }
        var stageSources: [String: String] { DemoNotebookPlugin().stageSources }
    }

    struct MissingSources: StagePlugin {
        var name: String { "demo" }
        var stages: [any Stage.Type] { DemoNotebookPlugin().stages }
        var stageSources: [String: String] { [:] }
    }

    @Test func registrationErrorsAreTyped() {
        #expect(throws: RegistryError.duplicateKind("demo.generate")) {
            try StageRegistry(plugins: [DemoNotebookPlugin(), DemoNotebookPlugin()])
        }
        #expect(throws: RegistryError.kindOutsidePlugin(kind: "demo.generate", plugin: "other")) {
            try StageRegistry(plugins: [Misnamed()])
        }
        #expect(throws: RegistryError.self) { try StageRegistry(plugins: [MissingSources()]) }
    }
}
