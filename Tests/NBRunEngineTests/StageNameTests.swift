import Foundation
@testable import NBRun
@testable import NBRunEngine
import Testing

@Suite("Names said once: a stage's name from its type, a cell's name from its kind")
struct StageNameTests {
    struct TrainStage: Stage {
        static let summary = "t"
        func run(_ context: StageContext) throws {}
    }

    struct Renamed: Stage {
        static let name = "other"
        static let summary = "r"
        func run(_ context: StageContext) throws {}
    }

    @Test func theNameFollowsTheTypesName() {
        #expect(TrainStage.name == "train")
        #expect(Renamed.name == "other", "a declared name overrides the derived one")
        for (type, name) in [("BuildModelStage", "build-model"), ("VisualizeBatchStage", "visualize-batch"),
                             ("LSTMCellStage", "lstm-cell"), ("CountWords", "count-words"), ("Square", "square"),
                             ("Stage", "stage"), ("Resize2xStage", "resize2x"), ("Top5Stage", "top5"),
                             ("ReadMNIST", "read-mnist"), ("snake_caseStage", "snake-case")] {
            #expect(StageName.derived(fromTypeName: type) == name, "\(type)")
        }
    }

    /// The registry's kinds are built from the derived names (`Everything` declares none).
    @Test func theRegistryUsesTheDerivedNames() throws {
        #expect(try StageRegistry(plugins: [EverythingPlugin()]).kinds == ["open.everything"])
    }

    @Test func aCellWithOnlyAKindIsNamedByItsLastPart() throws {
        let loader = ManifestLoader(registry: try StageRegistry(plugins: [EverythingPlugin()]), checksPathsExist: false)
        let file = URL(fileURLWithPath: "/n/m.manifest")
        let text = "title: t\ncells:\n  - kind: open.everything\n    parameters:\n      cell: gru\n  - stage: second\n    kind: open.everything\n    reads: [everything]\n"
        let manifest = try loader.parse(Data(text.utf8), fileURL: file)
        #expect(manifest.stages.map(\.name) == ["everything", "second"])
        #expect(manifest.stages[0].location == ManifestLocation(file: file.path, line: 3, column: 11))
        #expect(manifest.stages[1].reads == ["everything"])
        let twice = "title: t\ncells:\n  - kind: open.everything\n  - kind: open.everything\n"
        #expect(throws: ManifestError.duplicateStageName(ManifestLocation(file: file.path, line: 4, column: 11), name: "everything",
                                                          firstDeclaredAt: ManifestLocation(file: file.path, line: 3, column: 11))) {
            try loader.parse(Data(twice.utf8), fileURL: file)
        }
    }
}
