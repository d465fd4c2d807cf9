import Foundation
@testable import NBRunCLI
import NBRunEngine
import Testing

@Suite("nbrun new: the scaffold")
struct ScaffoldTests {
    func makeParent() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("scaffold-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }

    func snapshot(_ root: URL) -> [String] {
        (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? []).sorted()
    }

    @Test func namesAreCheckedAndThePrefixDerived() throws {
        for bad in ["", "waves", "1Waves", "Wa-ves", "Wa ves", "Wa/ves", "Wäves", String(repeating: "A", count: 41)] {
            #expect(throws: ScaffoldError.invalidName(bad)) { try NotebookScaffold(name: bad) }
        }
        #expect(try NotebookScaffold(name: "Waves").prefix == "waves")
        #expect(try NotebookScaffold(name: "SineFit").prefix == "sine-fit")
        #expect(try NotebookScaffold(name: "Fit2D").prefix == "fit2d")
        #expect(try NotebookScaffold(name: "Waves").module == "WavesNotebook")
    }

    @Test func writesOneFolderThatIsANotebook() throws {
        let parent = try makeParent()
        defer { try? FileManager.default.removeItem(at: parent) }
        let root = parent.appendingPathComponent("sine")
        let written = try NotebookScaffold(name: "SineFit").write(into: root)
        #expect(written == ["SineFit.manifest", "SineFitPlugin.swift", "SineFitArtifacts.swift",
                            "Stages/GenerateStage.swift", "Stages/PlotStage.swift"])
        let manifest = try String(contentsOf: root.appendingPathComponent("SineFit.manifest"), encoding: .utf8)
        #expect(manifest.contains("kind: sine-fit.generate") && manifest.contains("kind: sine-fit.plot"))
        let plugin = try String(contentsOf: root.appendingPathComponent(written[1]), encoding: .utf8)
        #expect(plugin.contains("public let name = \"sine-fit\""))
        #expect(!snapshot(root).contains { $0.contains(".new-") }, "no temporary file is left")
        // The folder is found as the notebook's code, stage files and helpers apart.
        let notebook = NotebookFolder(manifest: root.appendingPathComponent("SineFit.manifest"))
        #expect(notebook.codeFolder?.standardizedFileURL.path == root.standardizedFileURL.path)
        let files = try notebook.sourceFiles()
        #expect(files.map(\.relativePath) == ["SineFitArtifacts.swift", "SineFitPlugin.swift",
                                              "Stages/GenerateStage.swift", "Stages/PlotStage.swift"])
        #expect(files.filter(\.isStage).count == 2)
    }

    @Test func neverOverwritesAndLeavesNothingBehind() throws {
        let parent = try makeParent()
        defer { try? FileManager.default.removeItem(at: parent) }
        let root = parent.appendingPathComponent("Waves")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: false)
        try Data("mine".utf8).write(to: root.appendingPathComponent("Waves.manifest"))
        #expect(throws: ScaffoldError.exists(root.path)) { try NotebookScaffold(name: "Waves").write(into: root) }
        #expect(try String(contentsOf: root.appendingPathComponent("Waves.manifest"), encoding: .utf8) == "mine")
        try FileManager.default.removeItem(at: root)

        // A dangling link is a name that exists.
        try FileManager.default.createSymbolicLink(atPath: root.path, withDestinationPath: "/nonexistent/target")
        #expect(throws: ScaffoldError.exists(root.path)) { try NotebookScaffold(name: "Waves").write(into: root) }
        #expect(snapshot(parent) == ["Waves"])
    }

    @Test func needsAnExistingParentFolder() throws {
        let parent = try makeParent()
        defer { try? FileManager.default.removeItem(at: parent) }
        let root = parent.appendingPathComponent("missing/Waves")
        #expect(throws: ScaffoldError.noParentFolder(parent.appendingPathComponent("missing").path)) {
            try NotebookScaffold(name: "Waves").write(into: root)
        }
        #expect(snapshot(parent).isEmpty)
    }
}
