import DemoNotebook
import Foundation
import NBRunEngine

/// A notebook in a fresh temporary folder, run in-process with the demo plugin.
package final class TestNotebook: @unchecked Sendable {
    package let folder: URL
    package let manifestURL: URL
    package let registry: StageRegistry
    package let console = Console.recording()
    package let cancellation = CancellationFlag()
    /// How runs write their commits: the real disk unless a test fills it up.
    package var fileWriter: any FileWriting = AtomicFileWriter()

    package var output: URL { folder.appendingPathComponent("out") }

    package init(_ manifest: String = TestNotebook.pipeline) throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("nbrun-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        manifestURL = folder.appendingPathComponent("Test.manifest")
        registry = try StageRegistry(plugins: [DemoNotebookPlugin()])
        try write(manifest)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    package func write(_ manifest: String) throws {
        try Data(manifest.utf8).write(to: manifestURL)
    }

    package func writeFile(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: folder.appendingPathComponent(name))
    }

    package var runner: Runner { Runner(registry: registry, console: console, cancellation: cancellation, fileWriter: fileWriter) }

    package func load(_ overrides: [String] = []) throws -> Manifest {
        try runner.loadManifest(manifestURL, overrides: overrides.map { try ParameterOverride(parsing: $0) })
    }

    package func options(_ configure: (inout RunOptions) -> Void = { _ in }) -> RunOptions {
        var options = RunOptions()
        options.outputDirectory = output
        options.threadCount = 1
        configure(&options)
        return options
    }

    @discardableResult
    package func run(_ overrides: [String] = [], _ configure: (inout RunOptions) -> Void = { _ in }) throws -> RunResult {
        try runner.run(load(overrides), options: options(configure))
    }

    package func status(_ overrides: [String] = []) throws -> [String: StageDecision] {
        let plans = try runner.status(load(overrides), options: options())
        return Dictionary(uniqueKeysWithValues: plans.map { ($0.stage.name, $0) })
    }

    package func artifact(_ stage: String, _ name: String) -> URL {
        output.appendingPathComponent(stage).appendingPathComponent(name)
    }

    package func read(_ stage: String, _ name: String) throws -> String {
        try String(contentsOf: artifact(stage, name), encoding: .utf8)
    }

    package func report() throws -> String {
        try String(contentsOf: output.appendingPathComponent("report.md"), encoding: .utf8)
    }

    /// generate → square → summarize, plus an independent words stage.
    package static let pipeline = """
        title: "Test notebook"
        cells:
          - prose: |
              Some *prose* before the stages.
          - stage: generate
            kind: demo.generate
            parameters: {seed: 3, count: 20}
          - stage: square
            kind: demo.square
            reads: [generate]
          - stage: summarize
            kind: demo.summarize
            reads: [square]
          - stage: histogram
            kind: demo.histogram
            parameters: {bins: 4}
            reads: [generate]
        """
}

extension RunResult {
    package var ran: Set<String> { Set(executed) }

    package func outcome(_ stage: String) -> StageOutcome? { outcomes[stage] }

    package func isCached(_ stage: String) -> Bool {
        if case .cached = outcomes[stage] { true } else { false }
    }
}
