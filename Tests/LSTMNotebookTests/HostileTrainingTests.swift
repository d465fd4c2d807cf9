import Foundation
import NeuralNetwork
import Testing

/// Real `nbrun` runs against an edited checkpoint and against weights that are, or make
/// the loss, non-finite (issue 17, items 8 and 11).
extension InterruptedTrainingTests {
    /// Runs nbrun to its end with extra `--set`s; its exit status and output.
    func run(output: URL, name: String, extra: [String] = []) throws -> (status: Int32, text: String) {
        let log = scratch.appendingPathComponent("\(name).log")
        let process = try launch(output: output, log: log, extra: extra)
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: log, encoding: .utf8))
    }

    func launch(output: URL, log: URL, extra: [String]) throws -> Process {
        let process = Process()
        process.executableURL = Self.executable
        process.currentDirectoryURL = Self.repository
        process.arguments = ["run", "Notebooks/LSTM.manifest", "--output", output.path, "--threads", "1"]
            + (Self.settings + extra).flatMap { ["--set", $0] }
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

    /// The issue's reproduction: stop a run after epoch 2 of 4, triple `epochMeans` in the
    /// checkpoint's JSON. The next run used to trap on every attempt; now it says why it
    /// does not resume and trains from the start.
    @Test func editedCheckpointIsSetAsideAndTrainingStartsOver() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path))
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let output = scratch.appendingPathComponent("edited")
        let process = try launch(output: output, log: scratch.appendingPathComponent("stopped.log"))
        try interrupt(process, with: SIGKILL) { checkpoints(in: output).contains { $0.hasPrefix("epoch-0002") } }

        let latest = try #require(checkpoints(in: output).last { $0.hasPrefix("epoch-") })
        let url = try #require(trainResumeFolder(in: output)).appendingPathComponent("\(latest)/checkpoint.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var history = try #require(json["history"] as? [String: Any])
        let means = try #require(history["epochMeans"] as? [Any])
        history["epochMeans"] = means + means + means
        json["history"] = history
        try JSONSerialization.data(withJSONObject: json).write(to: url)

        let result = try run(output: output, name: "after-edit")
        #expect(result.status == 0, "\(result.text)")
        #expect(result.text.contains("Not resuming from the checkpoint"), "\(result.text)")
        #expect(result.text.contains("completed epochs, but this run has 4"), "\(result.text)")
        #expect(!result.text.contains("Resuming from"))
        for epoch in 1...4 { #expect(result.text.contains("Epoch \(epoch)/4, Loss: ")) }
    }

    /// Writes a 28/8/10 model with its tensors passed through `edit` (name, values).
    func weights(named name: String, edit: (String, [Float]) -> [Float]) throws -> URL {
        let model = SequenceClassifier(configuration: RecurrentConfiguration(cell: .lstm, inputSize: 28, hiddenSize: 8, outputSize: 10), seed: 1)
        for parameter in model.namedParameters {
            try model.setParameter(named: parameter.name, values: edit(parameter.name, parameter.values))
        }
        let url = scratch.appendingPathComponent(name)
        try model.saveSafetensors(to: url)
        return url
    }

    /// NaN weights used to give a silent 8% with `epochs=0`; they are refused by name.
    @Test func nonFiniteWeightsAreRefusedByName() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path))
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let url = try weights(named: "nan.safetensors") { name, values in
            name == "LSTM.LSTMCell.a_t_o.bias" ? [.nan] + values.dropFirst() : values
        }
        let result = try run(output: scratch.appendingPathComponent("nan"), name: "nan",
                             extra: ["build-model.weights=\(url.path)", "train.epochs=0"])
        #expect(result.status != 0)
        #expect(result.text.contains("tensor 'LSTM.LSTMCell.a_t_o.bias' holds nan at element 0"), "\(result.text)")
        #expect(!result.text.contains("Test accuracy"))
    }

    /// Finite weights that make the first batch's loss NaN: every LSTM bias at 100 saturates
    /// all gates, so each hidden unit outputs about 1, and classifier weights of 3e38 then
    /// overflow every logit to infinity. Training stops at that batch and says where,
    /// instead of training on and failing to encode NaN.
    @Test func nonFiniteLossStopsTrainingAtOnce() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path))
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let url = try weights(named: "huge.safetensors") { name, values in
            if name == "classifier.weight" { return values.map { _ in 3e38 } }
            return name.hasPrefix("LSTM.") && name.hasSuffix(".bias") ? values.map { _ in 100 } : values
        }
        let result = try run(output: scratch.appendingPathComponent("huge"), name: "huge",
                             extra: ["build-model.weights=\(url.path)", "train.epochs=2"])
        #expect(result.status != 0)
        #expect(result.text.contains("the loss of batch 1 in epoch 1 is"), "\(result.text)")
        #expect(!result.text.contains("Epoch 1/2, Loss"))
        #expect(!result.text.contains("EncodingError"))
    }

    /// A tensor name carrying terminal escapes (retitle the window, ring the bell) reaches
    /// the terminal escaped, in the error that names it.
    @Test func tensorNamesWithTerminalEscapesAreShownEscaped() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path))
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let model = SequenceClassifier(configuration: RecurrentConfiguration(cell: .lstm, inputSize: 28, hiddenSize: 8, outputSize: 10), seed: 1)
        var tensors = model.namedParameters.map { SafetensorsFile.Tensor(name: $0.name, shape: $0.shape, values: $0.values) }
        tensors.append(.init(name: "evil\u{1B}]0;pwned\u{7}\u{1B}[2J", shape: [1], values: [0]))
        let url = scratch.appendingPathComponent("evil.safetensors")
        try SafetensorsFile(tensors: tensors).write(to: url)
        let result = try run(output: scratch.appendingPathComponent("evil"), name: "evil",
                             extra: ["build-model.weights=\(url.path)", "train.epochs=0"])
        #expect(result.status != 0)
        #expect(result.text.contains(#"unexpected tensor 'evil\u{1B}]0;pwned\u{7}\u{1B}[2J'"#), "\(result.text)")
        #expect(!result.text.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{7}" }, "\(result.text.debugDescription)")
    }
}
