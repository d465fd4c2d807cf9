import Foundation
import NBRunTestSupport
import Testing

/// The build tool that derives a notebook's stages, their files and the library modules
/// they reach, run on a small notebook written by the test.
struct ToolMissing: Error, CustomStringConvertible {
    var description: String { "no EmbedStageSources next to nbrun: build the package first (swift build --build-tests)" }
}

@Suite("EmbedStageSources build tool")
struct EmbedStageSourcesToolTests {
    let tool: URL? = nbrunBinary.map { $0.deletingLastPathComponent().appendingPathComponent("EmbedStageSources") }

    func write(_ text: String, _ name: String, in folder: URL) throws -> String {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func run(_ arguments: [String]) throws -> (status: Int32, error: String) {
        let process = Process()
        guard let tool else { throw ToolMissing() }
        process.executableURL = tool
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func helperImportsBecomeTheOwnModulesDependencies() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("embed-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let helper = try write("import Foundation\nimport Drawing\n\npublic struct ToyPlugin: StagePlugin {\n    public let name = \"toy\"\n}\n",
                               "Toy/ToyPlugin.swift", in: folder)
        let stage = try write("import NBRun\n\nstruct FirstStage: Stage, Equatable {\n    static let name = \"first\"\n}\n",
                              "Toy/Stages/First.swift", in: folder)
        let drawing = try write("import Pixels\npublic func draw() {}\n", "Drawing/Draw.swift", in: folder)
        let pixels = try write("public let pixel = 1\n", "Pixels/Pixel.swift", in: folder)
        let unused = try write("public let unused = 1\n", "Unused/Unused.swift", in: folder)
        let output = folder.appendingPathComponent("Generated.swift").path

        let result = try run([output, "--own", "Toy", helper, "--stages", stage,
                              "--module", "Drawing", "Pixels", drawing, "--module", "Pixels", "", pixels,
                              "--module", "Unused", "", unused])
        #expect(result.status == 0, "\(result.error)")
        let generated = try String(contentsOfFile: output, encoding: .utf8)
        #expect(generated.contains(#""Toy": ["Drawing", "Pixels"],"#), "the helper's module and its dependency")
        #expect(generated.contains(#""Drawing": ["Pixels"],"#))
        #expect(!generated.contains(#""Unused""#), "a module no file reaches is not embedded")
        #expect(generated.contains("extension ToyPlugin {"))
        #expect(generated.contains(#"EmbeddedStage(type: FirstStage.self, fileName: "First.swift""#))
        #expect(generated.contains("public enum ToyRegistration {"))
    }

    @Test func aModuleWithoutExactlyOnePluginTypeFailsTheBuildClearly() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("embed-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let none = try write("import NBRun\nlet x = 1\n", "Toy/Helpers.swift", in: folder)
        let two = try write("struct A: StagePlugin { let name = \"a\" }\nstruct B: StagePlugin { let name = \"b\" }\n",
                            "Toy/Two.swift", in: folder)
        let output = folder.appendingPathComponent("Generated.swift").path
        let missing = try run([output, "--own", "Toy", none, "--stages"])
        #expect(missing.status != 0)
        #expect(missing.error.contains("Toy declares no type conforming to StagePlugin"))
        let several = try run([output, "--own", "Toy", two, "--stages"])
        #expect(several.status != 0)
        #expect(several.error.contains("several StagePlugin types (A, B)"))
        #expect(!FileManager.default.fileExists(atPath: output), "nothing is written on failure")
    }
}
