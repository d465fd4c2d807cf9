import Foundation
import Testing

/// `--on slurm` and its options through the nbrun executable, without a cluster: what does
/// not apply is refused before anything runs, and a machine without Slurm's commands gets a
/// plain message instead of a local run.
@Suite("Slurm options")
struct SlurmOptionTests {
    /// Removed with the suite instance, after each test.
    let sandbox: Sandbox
    let binary: URL
    var folder: URL { sandbox.root }

    init() throws {
        binary = try #require(nbrunBinary, "no nbrun executable next to the test bundle: run `swift build --build-tests` first")
        sandbox = try Sandbox()
        try sandbox.file("Test.manifest", """
            title: "Slurm options"
            cells:
              - stage: generate
                kind: demo.generate
                parameters: {seed: 3, count: 20}

            """)
    }

    func nbrun(_ arguments: [String], path: String? = nil) throws -> (status: Int32, output: String) {
        let environment = path.map { path in ProcessInfo.processInfo.environment.merging(["PATH": path]) { $1 } }
        return try RunningNBRun(binary, arguments, in: folder, environment: environment).finish()
    }

    @Test func optionsThatDoNotApplyAreRefused() throws {
        let cases: [([String], String)] = [
            (["--wait"], "apply to --on slurm"),
            (["--partition", "p"], "apply to --on slurm"),
            (["--on", "slurm"], "--on slurm runs a sweep as a job array; add --sweep"),
            (["--on", "mars", "--sweep", "generate.count=1,2"], "--on must be 'local' or 'slurm', got 'mars'"),
            (["--on", "slurm", "--sweep", "generate.count=1,2", "--threads", "2"], "do not apply to --on slurm"),
            (["--on", "slurm", "--sweep", "generate.count=1,2", "--cpus-per-task", "0"], "--cpus-per-task must be at least 1"),
        ]
        for (arguments, message) in cases {
            let result = try nbrun(["Test.manifest", "--output", "out"] + arguments)
            #expect(result.status == 64, "\(arguments): \(result.output)")
            #expect(result.output.contains(message), "\(arguments): \(result.output)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path))
    }

    @Test func withoutSlurmsCommandsNothingRunsAndTheMessageSaysWhy() throws {
        let result = try nbrun(["Test.manifest", "--output", "out", "--sweep", "generate.count=1,2", "--on", "slurm"],
                               path: folder.appendingPathComponent("no-bin").path)
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("nbrun: error: squeue not found on PATH"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/generate").path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/slurm/sweep.json").path))
    }
}
