import DemoNotebook
import Foundation
@testable import NBRun
@testable import NBRunEngine
import Testing

@Suite("Typed parameters: one property declares and reads each")
struct ParameterTests {
    struct Example: Stage {
        static let name = "example"
        static let summary = "Declares one parameter of every type."

        @Parameter(help: "Passes.", range: 0...1000) var epochs = 10
        @Parameter(help: "Step size.", range: 1e-6...1) var learningRate = 0.001
        @Parameter(help: "A label.") var label = "x"
        @Parameter(help: "Whether to stop.") var shouldStop = false
        @Parameter(help: "Data folder.") var data: NotebookPath = "data/mnist"
        @Parameter(help: "Optional weights.") var weights: NotebookPath? = nil
        @Parameter(name: "k", help: "Renamed.") var neighbours = 3

        func run(_ context: StageContext) throws {}
    }

    @Test func theDeclarationIsWhatTheManifestIsCheckedAgainst() {
        let specs = Example.parameters
        #expect(specs.map(\.name) == ["epochs", "learning-rate", "label", "should-stop", "data", "weights", "k"])
        #expect(specs.map(\.kind) == [.integer(0...1000), .number(1e-6...1), .string, .boolean, .path, .path, .integer()])
        #expect(specs.map(\.defaultValue) == [.integer(10), .number(0.001), .string("x"), .boolean(false),
                                              .path("data/mnist"), .none, .integer(3)])
        #expect(specs.map(\.description) == ["Passes.", "Step size.", "A label.", "Whether to stop.", "Data folder.",
                                             "Optional weights.", "Renamed."])
    }

    @Test func boundValuesAreReadThroughTheProperties() {
        let stage = Example()
        #expect(stage.epochs == 10 && stage.weights == nil, "unbound: the defaults")
        let base = URL(fileURLWithPath: "/notebooks", isDirectory: true)
        stage.bindParameters(StageParameters(
            ["epochs": .integer(3), "learning-rate": .integer(1), "label": .string("y"), "should-stop": .boolean(true),
             "data": .path("other"), "weights": .path("~/w.safetensors"), "k": .integer(5)],
            baseDirectory: base))
        #expect(stage.epochs == 3)
        #expect(stage.learningRate == 1.0, "an integer is a valid number")
        #expect(stage.label == "y" && stage.shouldStop && stage.neighbours == 5)
        #expect(stage.data.url.path == "/notebooks/other")
        #expect(stage.data.text == "other")
        #expect(stage.weights?.url.path == (NSHomeDirectory() as NSString).appendingPathComponent("w.safetensors"))
        #expect(Example().epochs == 10, "another instance keeps its own values")
    }

    @Test func propertyNamesBecomeKebabCase() {
        #expect(Parameter<Int>.kebabCase("_stepMilliseconds") == "step-milliseconds")
        #expect(Parameter<Int>.kebabCase("_seed") == "seed")
        #expect(Parameter<Int>.kebabCase("_trainImages") == "train-images")
    }

    /// An empty path is refused whether or not the parameter is optional; the words for
    /// "unset" still leave an optional one unset, and other optional kinds may be empty.
    @Test func emptyPathsAreRefusedAndNoneSpellingsKept() {
        for text in ["", " ", "  "] {
            for optional in [false, true] {
                guard case .failure(.emptyPath) = ParameterKind.path.parse(text, optional: optional) else {
                    Issue.record("'\(text)', optional \(optional): \(ParameterKind.path.parse(text, optional: optional))")
                    continue
                }
            }
            guard case .success(.none) = ParameterKind.integer().parse(text, optional: true) else {
                Issue.record("an optional integer may still be left empty"); continue
            }
        }
        for spelling in ["none", "~", "null", " none "] {
            guard case .success(.none) = ParameterKind.path.parse(spelling, optional: true) else {
                Issue.record("\(spelling)"); continue
            }
        }
        guard case .success(.path(".")) = ParameterKind.path.parse(".", optional: true) else {
            Issue.record("`.` names the manifest's folder on purpose"); return
        }
        guard case .success(.path("none")) = ParameterKind.path.parse("none", optional: false) else {
            Issue.record("a required path may name a file called none"); return
        }
    }

    /// The real stages declare through the wrapper; `nbrun stages` shows the same.
    @Test func theDemoStagesDeclareTheirParametersAsProperties() throws {
        let registry = try StageRegistry(plugins: [DemoNotebookPlugin()])
        let slow = try #require(registry["demo.slow"]).stageType.parameters
        #expect(slow.map(\.name) == ["steps", "step-milliseconds"])
        #expect(slow.map(\.kind) == [.integer(0...100_000), .integer(0...10_000)])
        let words = try #require(registry["demo.count-words"]).stageType.parameters
        #expect(words.first?.defaultValue == ParameterValue.none)
        #expect(words.first?.kind == .path)
    }
}
