import DemoNotebook
import Foundation
import NBRunCore

/// A notebook in a fresh temporary folder, run in-process with the demo plugin.
final class TestNotebook: @unchecked Sendable {
    let folder: URL
    let manifestURL: URL
    let registry: StageRegistry
    let console = Console.recording()
    let cancellation = CancellationFlag()
    /// How runs write their commits: the real disk unless a test fills it up.
    var fileWriter: any FileWriting = AtomicFileWriter()

    var output: URL { folder.appendingPathComponent("out") }

    init(_ manifest: String = TestNotebook.pipeline) throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("nbrun-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        manifestURL = folder.appendingPathComponent("Test.manifest")
        registry = try StageRegistry(plugins: [DemoNotebookPlugin()])
        try write(manifest)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    func write(_ manifest: String) throws {
        try Data(manifest.utf8).write(to: manifestURL)
    }

    func writeFile(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: folder.appendingPathComponent(name))
    }

    var runner: Runner { Runner(registry: registry, console: console, cancellation: cancellation, fileWriter: fileWriter) }

    func load(_ overrides: [String] = []) throws -> Manifest {
        try runner.loadManifest(manifestURL, overrides: overrides.map { try ParameterOverride(parsing: $0) })
    }

    func options(_ configure: (inout RunOptions) -> Void = { _ in }) -> RunOptions {
        var options = RunOptions()
        options.outputDirectory = output
        options.threadCount = 1
        configure(&options)
        return options
    }

    @discardableResult
    func run(_ overrides: [String] = [], _ configure: (inout RunOptions) -> Void = { _ in }) throws -> RunResult {
        try runner.run(load(overrides), options: options(configure))
    }

    func status(_ overrides: [String] = []) throws -> [String: StageDecision] {
        let plans = try runner.status(load(overrides), options: options())
        return Dictionary(uniqueKeysWithValues: plans.map { ($0.stage.name, $0) })
    }

    func artifact(_ stage: String, _ name: String) -> URL {
        output.appendingPathComponent(stage).appendingPathComponent(name)
    }

    func read(_ stage: String, _ name: String) throws -> String {
        try String(contentsOf: artifact(stage, name), encoding: .utf8)
    }

    func report() throws -> String {
        try String(contentsOf: output.appendingPathComponent("report.md"), encoding: .utf8)
    }

    /// generate → square → summarize, plus an independent words stage.
    static let pipeline = """
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
    var ran: Set<String> { Set(executed) }

    func outcome(_ stage: String) -> StageOutcome? { outcomes[stage] }

    func isCached(_ stage: String) -> Bool {
        if case .cached = outcomes[stage] { true } else { false }
    }
}
