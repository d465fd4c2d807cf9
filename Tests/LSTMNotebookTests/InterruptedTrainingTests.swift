import Foundation
import Testing

/// Kills real `nbrun` processes in the middle of `train` and proves that the next run
/// resumes from the last complete epoch and ends with the very weights of a run that was
/// never interrupted.
///
/// It drives the `nbrun` executable built beside the test bundle (`swift build
/// --build-tests` builds both), on a slice small enough for a debug build.
@Suite(.serialized)
struct InterruptedTrainingTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let settings = [
        "load-data.train-limit=640", "load-data.test-limit=64", "build-model.hidden-size=8",
        "train.epochs=4", "train.learning-rate=0.01",
    ]

    let scratch = FileManager.default.temporaryDirectory
        .appendingPathComponent("nbrun-interrupt-\(UUID().uuidString)")

    static var executable: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("nbrun")
    }

    /// Starts `nbrun` on the LSTM manifest with the small settings, writing into `output`.
    func launch(output: URL, log: URL) throws -> Process {
        let process = Process()
        process.executableURL = Self.executable
        process.currentDirectoryURL = Self.repository
        process.arguments = ["run", "Notebooks/LSTM.manifest", "--output", output.path, "--threads", "1"]
            + Self.settings.flatMap { ["--set", $0] }
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        var environment = ProcessInfo.processInfo.environment
        environment["CI"] = "1"
        process.environment = environment
        try process.run()
        return process
    }

    func runToCompletion(output: URL, name: String) throws -> String {
        let log = scratch.appendingPathComponent("\(name).log")
        let process = try launch(output: output, log: log)
        process.waitUntilExit()
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(process.terminationStatus == 0, "nbrun failed:\n\(text)")
        return text
    }

    /// The train stage's resume folder: one per variant, `.resume/train-<fingerprint>` (these
    /// tests run one variant per output folder).
    func trainResumeFolder(in output: URL) -> URL? {
        let root = output.appendingPathComponent(".resume")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.first { $0.hasPrefix("train-") }.map { root.appendingPathComponent($0) }
    }

    func checkpoints(in output: URL) -> [String] {
        guard let folder = trainResumeFolder(in: output) else { return [] }
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    /// Polls until `condition` holds (or 300 s pass, a hang), then sends `signal`.
    func interrupt(_ process: Process, with signal: Int32, when condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(300)
        while !condition() {
            try #require(process.isRunning, "nbrun finished before the moment to interrupt it came")
            try #require(Date() < deadline, "timed out waiting for the moment to interrupt")
            usleep(2_000)
        }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }

    @Test func killedOrInterruptedTrainingResumesToIdenticalWeights() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path),
                     "build nbrun first (swift build --build-tests): \(Self.executable.path)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }

        let reference = scratch.appendingPathComponent("uninterrupted")
        _ = try runToCompletion(output: reference, name: "uninterrupted")
        let expected = try Data(contentsOf: reference.appendingPathComponent("train/model.safetensors"))

        // Three interruptions of one run: SIGKILL as soon as a checkpoint is being written
        // (or has just been), SIGKILL in the middle of a later epoch, and Ctrl-C (SIGINT).
        let output = scratch.appendingPathComponent("interrupted")
        let moments: [(signal: Int32, name: String, condition: () -> Bool)] = [
            (SIGKILL, "kill-at-first-checkpoint", { !checkpoints(in: output).isEmpty }),
            (SIGKILL, "kill-mid-epoch", { checkpoints(in: output).contains { $0.hasPrefix("epoch-0002") } }),
            (SIGINT, "ctrl-c", { checkpoints(in: output).contains { $0.hasPrefix("epoch-0003") } }),
        ]
        for moment in moments {
            let log = scratch.appendingPathComponent("\(moment.name).log")
            let process = try launch(output: output, log: log)
            try interrupt(process, with: moment.signal, when: moment.condition)
            let text = try String(contentsOf: log, encoding: .utf8)
            if moment.signal == SIGINT {
                #expect(process.terminationStatus == 130, "Ctrl-C should exit with 130:\n\(text)")
            }
            // The interrupted stage is never marked done.
            #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("train/record.json").path),
                    "train was committed although it was interrupted (\(moment.name))")
        }

        let resumed = try runToCompletion(output: output, name: "resumed")
        #expect(resumed.contains("Resuming from the checkpoint after epoch 3"), "\(resumed)")
        for epoch in 1...4 {
            #expect(resumed.contains("Epoch \(epoch)/4, Loss: "))
        }
        let weights = try Data(contentsOf: output.appendingPathComponent("train/model.safetensors"))
        #expect(weights == expected, "resumed training ended with other weights than an uninterrupted run")
        // A completed stage leaves no resumable state behind.
        #expect(checkpoints(in: output).isEmpty)
    }
}
