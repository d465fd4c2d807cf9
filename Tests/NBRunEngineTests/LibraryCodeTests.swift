import DemoNotebook
import Foundation
import NBRunEngine
import NBRunTestSupport
import Testing

@Suite("Library code a stage imports is part of its fingerprint")
struct LibraryCodeTests {
    /// The demo plugin where `square` imports a library module `Numbers` (which depends on
    /// `Arithmetic`), with the library sources given by the test.
    struct DemoWithLibraries: StagePlugin {
        var numbers = "public func square(_ x: Int) -> Int { x * x }"
        var arithmetic = "public func add(_ a: Int, _ b: Int) -> Int { a + b }"
        /// A module only the plugin's helper files import: no stage names it.
        var helperLibrary = "public func describe(_ x: Int) -> String { String(x) }"
        var ownHelpers = DemoNotebookPlugin().libraryCode.sources["DemoNotebook"] ?? ""

        var name: String { "demo" }
        var stages: [EmbeddedStage] {
            DemoNotebookPlugin().stages.map { stage in
                var stage = stage
                if stage.fileName == "Square.swift" { stage.source = "import Numbers\n" + stage.source }
                return stage
            }
        }
        var libraryCode: LibraryCode {
            LibraryCode(ownModule: "DemoNotebook",
                        sources: ["DemoNotebook": ownHelpers, "Numbers": numbers, "Arithmetic": arithmetic,
                                  "HelperLibrary": helperLibrary],
                        dependencies: ["DemoNotebook": ["HelperLibrary"], "Numbers": ["Arithmetic"], "Arithmetic": [],
                                       "HelperLibrary": []])
        }
    }

    func plans(_ notebook: TestNotebook, _ plugin: DemoWithLibraries) throws -> [String: StageDecision] {
        let runner = Runner(registry: try StageRegistry(plugins: [plugin]), console: notebook.console)
        let plans = try runner.status(try runner.loadManifest(notebook.manifestURL), options: notebook.options())
        return Dictionary(uniqueKeysWithValues: plans.map { ($0.stage.name, $0) })
    }

    func runFirst(_ notebook: TestNotebook, _ plugin: DemoWithLibraries) throws {
        let runner = Runner(registry: try StageRegistry(plugins: [plugin]), console: notebook.console)
        let result = try runner.run(try runner.loadManifest(notebook.manifestURL), options: notebook.options())
        #expect(result.exitCode == 0)
    }

    @Test func theRealPluginsEmbedTheirLibraryModules() {
        let library = DemoNotebookPlugin().libraryCode
        #expect(library.ownModule == "DemoNotebook")
        #expect(library.sources["DemoNotebook"]?.contains("struct DemoNotebookPlugin") == true)
        #expect(library.sources["NBRunEngine"] == nil, "the engine is not stage code")
        #expect(library.sources["NBRun"]?.contains("public protocol Stage") == true, "the author API is")
        let registry = try? StageRegistry(plugins: [DemoNotebookPlugin()])
        #expect(registry?["demo.square"]?.libraryModules == ["AtomicFiles", "DemoNotebook", "NBRun", "SafeText", "SwiftSourceScan"])
        #expect(registry?["demo.histogram"]?.libraryModules.contains("Figures") == true, "the histogram draws with Figures")
    }

    @Test func editingAnImportedModuleMakesExactlyItsImportersStale() throws {
        let notebook = try TestNotebook()
        let plugin = DemoWithLibraries()
        try runFirst(notebook, plugin)
        #expect(try plans(notebook, plugin).values.allSatisfy { $0.freshness.isFresh })

        // A comment in the library: nothing is stale.
        var commented = plugin
        commented.numbers = "// Squares.\n" + plugin.numbers
        #expect(try plans(notebook, commented).values.allSatisfy { $0.freshness.isFresh })

        // A token change in a module square imports, or in that module's dependency.
        var numbersEdited = plugin, arithmeticEdited = plugin
        numbersEdited.numbers = plugin.numbers.replacingOccurrences(of: "x * x", with: "x &* x")
        arithmeticEdited.arithmetic = plugin.arithmetic.replacingOccurrences(of: "a + b", with: "b + a")
        for (module, edited) in [("Numbers", numbersEdited), ("Arithmetic", arithmeticEdited)] {
            let plans = try plans(notebook, edited)
            #expect(plans["square"]?.changes == [.libraryCode(module: module)])
            #expect(plans["square"]?.freshness.summary == "stale: code of library module \(module) changed")
            #expect(plans["summarize"]?.changes == [.upstream(stage: "square")])
            #expect(plans["generate"]?.freshness.isFresh == true)
            #expect(plans["histogram"]?.freshness.isFresh == true)
        }

        // The plugin's own helper code is used by every stage of the plugin.
        var helpers = plugin
        helpers.ownHelpers += "\nlet helperConstant = 1"
        let plans = try plans(notebook, helpers)
        #expect(plans["generate"]?.changes == [.libraryCode(module: "DemoNotebook")])
        #expect(plans.values.allSatisfy { !$0.freshness.isFresh })
    }

    /// A stage that reaches a library only through its plugin's helpers does not import
    /// it, yet an edit to it makes the stage stale.
    @Test func editingAModuleOnlyTheHelpersImportMakesEveryStageStale() throws {
        let notebook = try TestNotebook()
        let plugin = DemoWithLibraries()
        try runFirst(notebook, plugin)
        let registry = try StageRegistry(plugins: [plugin])
        #expect(registry["demo.generate"]?.libraryModules == ["DemoNotebook", "HelperLibrary"])
        #expect(try #require(registry["demo.generate"]).source.contains("import HelperLibrary") == false)

        var edited = plugin
        edited.helperLibrary = plugin.helperLibrary.replacingOccurrences(of: "String(x)", with: "\"\\(x)\"")
        let plans = try plans(notebook, edited)
        #expect(plans["generate"]?.changes == [.libraryCode(module: "HelperLibrary")])
        #expect(plans["generate"]?.freshness.summary == "stale: code of library module HelperLibrary changed")
        #expect(plans.values.allSatisfy { !$0.freshness.isFresh })
    }

    @Test func importsAreReadWithAttributesAndKinds() {
        let library = LibraryCode(ownModule: "Own", sources: ["Own": "", "A": "", "B": "", "C": "", "D": ""],
                                  dependencies: ["A": ["D"]])
        let source = """
            import Foundation
            @testable import A
            import struct B.Thing
            @_exported import C
            // import Unknown
            let imported = "import D"
            """
        #expect(library.modules(usedBy: source) == ["A", "B", "C", "D", "Own"])
        #expect(library.modules(usedBy: "import Foundation") == ["Own"])
    }
}
