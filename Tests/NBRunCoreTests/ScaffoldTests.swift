import Foundation
import NBRunCore
import Testing

@Suite("nbrun new: the scaffold")
struct ScaffoldTests {
    /// A folder that looks like nbrun's package to the scaffold.
    func makePackage() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("scaffold-\(UUID().uuidString)")
        for folder in ["Sources", "Tests", "Notebooks"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try Data("// swift-tools-version: 6.0\n".utf8).write(to: root.appendingPathComponent("Package.swift"))
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

    @Test func writesTheManifestThePluginAndItsTest() throws {
        let root = try makePackage()
        defer { try? FileManager.default.removeItem(at: root) }
        let written = try NotebookScaffold(name: "SineFit").write(into: root)
        #expect(written == ["Notebooks/SineFit.manifest", "Sources/SineFitNotebook/SineFitNotebookPlugin.swift",
                            "Sources/SineFitNotebook/SineFitArtifacts.swift",
                            "Sources/SineFitNotebook/Stages/GenerateStage.swift",
                            "Sources/SineFitNotebook/Stages/PlotStage.swift",
                            "Tests/SineFitNotebookTests/SineFitNotebookTests.swift"])
        let manifest = try String(contentsOf: root.appendingPathComponent("Notebooks/SineFit.manifest"), encoding: .utf8)
        #expect(manifest.contains("kind: sine-fit.generate") && manifest.contains("kind: sine-fit.plot"))
        let plugin = try String(contentsOf: root.appendingPathComponent(written[1]), encoding: .utf8)
        #expect(plugin.contains("public let name = \"sine-fit\""))
        #expect(!snapshot(root).contains { $0.contains(".new-") }, "no temporary file is left")
    }

    @Test func neverOverwritesAndLeavesNothingBehind() throws {
        let root = try makePackage()
        defer { try? FileManager.default.removeItem(at: root) }
        let manifest = root.appendingPathComponent("Notebooks/Waves.manifest")
        try Data("mine".utf8).write(to: manifest)
        #expect(throws: ScaffoldError.exists("Notebooks/Waves.manifest")) { try NotebookScaffold(name: "Waves").write(into: root) }
        #expect(try String(contentsOf: manifest, encoding: .utf8) == "mine")
        try FileManager.default.removeItem(at: manifest)

        // A dangling link is a name that exists.
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("Sources/WavesNotebook").path,
                                                   withDestinationPath: "/nonexistent/target")
        #expect(throws: ScaffoldError.exists("Sources/WavesNotebook")) { try NotebookScaffold(name: "Waves").write(into: root) }
        try FileManager.default.removeItem(at: root.appendingPathComponent("Sources/WavesNotebook"))
        #expect(snapshot(root) == ["Notebooks", "Package.swift", "Sources", "Tests"])
    }

    @Test func aFailureHalfwayRemovesWhatItCreated() throws {
        let root = try makePackage()
        defer { try? FileManager.default.removeItem(at: root) }
        // Tests/ is a file: the test folder cannot be made after the plugin folder was.
        try FileManager.default.removeItem(at: root.appendingPathComponent("Tests"))
        try Data().write(to: root.appendingPathComponent("Tests"))
        #expect(throws: ScaffoldError.self) { try NotebookScaffold(name: "Waves").write(into: root) }
        #expect(snapshot(root) == ["Notebooks", "Package.swift", "Sources", "Tests"])
    }

    @Test func onlyWritesIntoAPackage() throws {
        let root = try makePackage()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.removeItem(at: root.appendingPathComponent("Package.swift"))
        #expect(throws: ScaffoldError.notAPackageRoot(root.path)) { try NotebookScaffold(name: "Waves").write(into: root) }
        #expect(snapshot(root) == ["Notebooks", "Sources", "Tests"])
        #expect(ScaffoldError.notAPackageRoot("/x").description.contains("--package-path"))
    }
}
