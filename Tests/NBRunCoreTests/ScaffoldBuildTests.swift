import Foundation
import Testing

/// `nbrun new` end to end, as a new author would use it: scaffold a notebook into a copy of
/// this package, build nbrun there, run the scaffold's tests, run the notebook and read its
/// report.
///
/// The copy lives at a fixed place under `.build/scaffold-test/` with its own scratch
/// folder, so only the first run builds everything; its folders link to this package's
/// (`Sources` and `Tests` are real folders of links, so the scaffold writes into the copy
/// alone), and the scratch folder starts from this package's fetched dependencies, so
/// nothing is fetched again.
@Suite("nbrun new, built and run in a copy of the package", .serialized)
struct ScaffoldBuildTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct CommandFailed: Error, CustomStringConvertible {
        var command: String
        var status: Int32
        var output: String
        var description: String { "\(command) exited with \(status):\n\(output.suffix(4000))" }
    }

    @discardableResult
    func run(_ executable: URL, _ arguments: [String], in directory: URL) throws -> String {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("scaffold-build-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw CommandFailed(command: ([executable.lastPathComponent] + arguments).joined(separator: " "),
                                status: process.terminationStatus, output: text)
        }
        return text
    }

    /// Makes `link` point at `target` unless it already does.
    func link(_ link: URL, to target: URL) throws {
        let fileManager = FileManager.default
        if (try? fileManager.destinationOfSymbolicLink(atPath: link.path)) == target.path { return }
        try? fileManager.removeItem(at: link)
        try fileManager.createSymbolicLink(at: link, withDestinationURL: target)
    }

    /// The copy: Package.swift copied (only when it changed, so the build stays
    /// incremental), everything else linked, and the previous scaffold removed.
    func prepareCopy(at copy: URL, notebook: String) throws {
        let fileManager = FileManager.default
        let root = Self.packageRoot
        for folder in ["Sources", "Tests", "Notebooks"] {
            try fileManager.createDirectory(at: copy.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        for path in ["Notebooks/\(notebook).manifest", "Sources/\(notebook)Notebook", "Tests/\(notebook)NotebookTests"] {
            try? fileManager.removeItem(at: copy.appendingPathComponent(path))
        }
        let manifest = try Data(contentsOf: root.appendingPathComponent("Package.swift"))
        if (try? Data(contentsOf: copy.appendingPathComponent("Package.swift"))) != manifest {
            try manifest.write(to: copy.appendingPathComponent("Package.swift"))
        }
        try link(copy.appendingPathComponent("Plugins"), to: root.appendingPathComponent("Plugins"))
        for folder in ["Sources", "Tests"] {
            let children = try fileManager.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)
            for child in children {
                try link(copy.appendingPathComponent(folder).appendingPathComponent(child),
                         to: root.appendingPathComponent(folder).appendingPathComponent(child))
            }
            // Links to folders this package no longer has (an earlier notebook) go.
            for child in try fileManager.contentsOfDirectory(atPath: copy.appendingPathComponent(folder).path)
            where !children.contains(child) {
                try fileManager.removeItem(at: copy.appendingPathComponent(folder).appendingPathComponent(child))
            }
        }
    }

    /// The dependencies this package already fetched, so the copy fetches nothing.
    func seedScratch(_ scratch: URL) throws {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: scratch, withIntermediateDirectories: true)
        for item in ["checkouts", "repositories", "workspace-state.json"]
        where !fileManager.fileExists(atPath: scratch.appendingPathComponent(item).path) {
            let source = Self.packageRoot.appendingPathComponent(".build").appendingPathComponent(item)
            guard fileManager.fileExists(atPath: source.path) else { continue }
            try run(URL(fileURLWithPath: "/bin/cp"), ["-a", source.path, scratch.appendingPathComponent(item).path],
                    in: scratch)
        }
    }

    @Test(.timeLimit(.minutes(30)))
    func aScaffoldedNotebookBuildsRunsAndReports() throws {
        let base = Self.packageRoot.appendingPathComponent(".build/scaffold-test")
        let copy = base.appendingPathComponent("package"), scratch = base.appendingPathComponent("build")
        let notebook = "Scaffolded"
        try prepareCopy(at: copy, notebook: notebook)
        try seedScratch(scratch)

        // The nbrun under test scaffolds into the copy.
        let nbrun = try #require(nbrunBinary, "build nbrun first (swift build --build-tests)")
        let created = try run(nbrun, ["new", notebook, "--package-path", copy.path], in: copy)
        #expect(created.contains("created Sources/\(notebook)Notebook/Stages/PlotStage.swift"))

        // A real build of nbrun in the copy, which must discover the new folder by itself.
        let swift = URL(fileURLWithPath: "/usr/bin/env")
        try run(swift, ["swift", "build", "--package-path", copy.path, "--scratch-path", scratch.path,
                        "--product", "nbrun", "--manifest-cache", "none"], in: copy)
        // The scaffold's own tests build and pass.
        try run(swift, ["swift", "build", "--package-path", copy.path, "--scratch-path", scratch.path,
                        "--build-tests"], in: copy)
        let tested = try run(swift, ["swift", "test", "--package-path", copy.path, "--scratch-path", scratch.path,
                                     "--skip-build", "--filter", "\(notebook)NotebookTests"], in: copy)
        #expect(tested.contains("Test run with 3 tests in 1 suite passed"), "\(tested.suffix(2000))")

        let output = FileManager.default.temporaryDirectory.appendingPathComponent("scaffolded-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let built = scratch.appendingPathComponent("debug/nbrun")
        let printed = try run(built, ["Notebooks/\(notebook).manifest", "--output", output.path], in: copy)
        #expect(printed.contains("192 samples over 3 periods"))

        let report = try String(contentsOf: output.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("### Stage `generate` (`scaffolded.generate`)"))
        #expect(report.contains("### Stage `plot` (`scaffolded.plot`)"))
        #expect(report.contains("@Parameter(help: \"Periods to sample.\", range: 1...100) var periods = 2"), "the stage's code")
        #expect(report.contains("largest sample: 1.000"))
        #expect(report.contains("![A sine wave](plot/wave.png)"))
        let png = try Data(contentsOf: output.appendingPathComponent("plot/wave.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "the figure is a PNG")
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("report.html").path))

        // A second run is fully cached.
        let again = try run(built, ["Notebooks/\(notebook).manifest", "--output", output.path], in: copy)
        #expect(!again.contains("▶"), "\(again)")
    }
}
