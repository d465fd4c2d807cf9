import Foundation
import Testing

/// The `nbrun` executable SwiftPM built next to the test bundle, if any.
let nbrunBinary: URL? = {
    let places = [URL(fileURLWithPath: CommandLine.arguments[0]), Bundle.main.bundleURL]
        .flatMap { [$0.deletingLastPathComponent(), $0.deletingLastPathComponent().deletingLastPathComponent()] }
    return places.map { $0.appendingPathComponent("nbrun") }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }
}()

/// End-to-end checks through the real `nbrun` executable: exit codes, Ctrl-C, SIGKILL
/// mid-stage, and two processes on one output folder.
@Suite("The nbrun executable", .enabled(if: nbrunBinary != nil, "nbrun binary not built next to the tests"))
struct ProcessTests {
    static let manifest = """
        title: processes
        cells:
          - stage: generate
            kind: demo.generate
          - stage: slow
            kind: demo.slow
            parameters: {steps: 3, step-milliseconds: 1}
            reads: [generate]
        """

    func start(_ arguments: [String], in notebook: TestNotebook) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = nbrunBinary
        process.arguments = arguments
        process.currentDirectoryURL = notebook.folder
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        return (process, pipe)
    }

    func run(_ arguments: [String], in notebook: TestNotebook) throws -> (status: Int32, output: String) {
        let (process, pipe) = try start(arguments, in: notebook)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func runStatusWhyCleanAndExitCodes() throws {
        let notebook = try TestNotebook(Self.manifest)
        let first = try run(["Test.manifest"], in: notebook)
        #expect(first.status == 0, "\(first.output)")
        #expect(FileManager.default.fileExists(atPath: notebook.folder.appendingPathComponent("output/Test/report.md").path))
        let status = try run(["status", "Test.manifest", "--set", "generate.count=3"], in: notebook)
        #expect(status.output.contains("generate  stale: parameter count changed: 10 → 3"))
        #expect(status.output.contains("slow      stale: upstream stage generate changed"))
        let why = try run(["why", "Test.manifest", "generate", "--set", "generate.seed=1"], in: notebook)
        #expect(why.output.contains("- parameter seed changed: 0 → 1"))
        let bad = try run(["Test.manifest", "--set", "generate.count=zero"], in: notebook)
        #expect(bad.status == 2)
        #expect(bad.output.contains("nbrun: error: --set generate.count=zero: parameter 'generate.count' expects integer"))
        let failing = try run(["Test.manifest", "--set", "slow.steps=-1"], in: notebook)
        #expect(failing.status == 2)
        let clean = try run(["clean", "Test.manifest"], in: notebook)
        #expect(clean.status == 0)
        #expect(!FileManager.default.fileExists(atPath: notebook.folder.appendingPathComponent("output/Test").path))
    }

    @Test func interruptStopsTheStageKeepsTheOldResultAndExits130() throws {
        let notebook = try TestNotebook(Self.manifest)
        #expect(try run(["Test.manifest"], in: notebook).status == 0)
        let (process, pipe) = try start(["Test.manifest", "--set", "slow.steps=5000"], in: notebook)
        Thread.sleep(forTimeInterval: 0.8)
        kill(process.processIdentifier, SIGINT)
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "\(output)")
        #expect(output.contains("interrupt received"))
        let steps = notebook.folder.appendingPathComponent("output/Test/slow/steps.txt")
        #expect(try String(contentsOf: steps, encoding: .utf8) == "3\n")
    }

    @Test func killedRunLeavesTheOldResultAndIsCleanedUpNextTime() throws {
        let notebook = try TestNotebook(Self.manifest)
        #expect(try run(["Test.manifest"], in: notebook).status == 0)
        let (process, _) = try start(["Test.manifest", "--set", "slow.steps=5000"], in: notebook)
        Thread.sleep(forTimeInterval: 0.8)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let output = notebook.folder.appendingPathComponent("output/Test")
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(".staging").path))
        let next = try run(["Test.manifest"], in: notebook)
        #expect(next.status == 0)
        #expect(next.output.contains("cleaned up after an earlier run"))
        #expect(next.output.contains("cached: generate, slow"))
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent(".staging").path))
    }

    @Test func secondProcessWaitsOrStopsWithNoWait() throws {
        let notebook = try TestNotebook(Self.manifest)
        let (first, firstPipe) = try start(["Test.manifest", "--set", "slow.steps=60", "--set", "slow.step-milliseconds=20"], in: notebook)
        Thread.sleep(forTimeInterval: 0.5)
        let refused = try run(["Test.manifest", "--no-wait", "--set", "slow.steps=60", "--set", "slow.step-milliseconds=20"], in: notebook)
        #expect(refused.status == 1)
        #expect(refused.output.contains("another nbrun is running on"))
        #expect(refused.output.contains("(pid \(first.processIdentifier))"))
        let second = try run(["Test.manifest", "--set", "slow.steps=60", "--set", "slow.step-milliseconds=20"], in: notebook)
        _ = firstPipe.fileHandleForReading.readDataToEndOfFile()
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(second.status == 0)
        #expect(second.output.contains("waiting for another nbrun on"))
        #expect(second.output.contains("cached: generate, slow"), "the second run finds the first one's complete results")
    }
}
