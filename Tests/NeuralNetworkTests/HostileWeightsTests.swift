import Foundation
@testable import NeuralNetwork
import Testing

/// Weights files made to hurt: sizes that would force huge allocations, NaN and infinite
/// values, names carrying terminal escapes, and paths that are not regular files.
@Suite struct HostileWeightsTests {
    let small = RecurrentConfiguration(cell: .lstm, inputSize: 3, hiddenSize: 4, outputSize: 5)

    func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nn-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A valid file whose tensors are only zeros of the given shapes (in the given order).
    func zeroTensors(_ shapes: [(String, [Int])]) -> SafetensorsFile {
        SafetensorsFile(tensors: shapes.map { name, shape in
            SafetensorsFile.Tensor(name: name, shape: shape, values: [Float](repeating: 0, count: shape.reduce(1, *)))
        })
    }

    func loadError(_ file: SafetensorsFile) throws -> SafetensorsError? {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("weights.safetensors")
        try file.write(to: url)
        do {
            _ = try SequenceClassifier.loadSafetensors(from: url)
            return nil
        } catch {
            return error
        }
    }

    /// The issue's file: two tensors declaring a hidden size of 100,000, whose model would
    /// need 160 GB. It must be refused on its header, before any model memory exists.
    @Test func hiddenSizeAboveTheParameterLimitIsRefusedBeforeAllocating() throws {
        let hidden = 100_000
        let error = try #require(try loadError(zeroTensors([
            ("LSTM.LSTMCell.x_t.weight", [hidden, 28]), ("classifier.weight", [10, hidden]),
        ])))
        guard case .dimensionTooLarge(_, let tensor, let shape, let limit) = error else {
            Issue.record("got \(error)"); return
        }
        #expect(tensor == "LSTM.LSTMCell.x_t.weight" && shape == [hidden, 28] && limit == 4096)
        #expect(error.description.contains("4096") && error.description.contains("100000"))
    }

    /// Within the limit, a file that lacks the large recurrent tensors is refused by name
    /// from its header: allocating the model first would have taken 4096² × 4 floats.
    @Test func missingTensorsAreFoundOnTheHeaderBeforeAllocating() throws {
        let error = try #require(try loadError(zeroTensors([
            ("LSTM.LSTMCell.x_t.weight", [4096, 1]), ("classifier.weight", [1, 4096]),
        ])))
        guard case .missingTensor(_, let tensor) = error else { Issue.record("got \(error)"); return }
        #expect(tensor == "LSTM.LSTMCell.x_t.bias")
        #expect(RecurrentConfiguration.maximumSize == 4096)
    }

    @Test func everyDimensionIsBounded() throws {
        let error = try #require(try loadError(zeroTensors([
            ("LSTM.LSTMCell.x_t.weight", [2, 4097]), ("classifier.weight", [10, 2]),
        ])))
        guard case .dimensionTooLarge(_, "LSTM.LSTMCell.x_t.weight", [2, 4097], 4096) = error else {
            Issue.record("got \(error)"); return
        }
        let output = try #require(try loadError(zeroTensors([
            ("LSTM.LSTMCell.x_t.weight", [2, 28]), ("classifier.weight", [5000, 2]),
        ])))
        guard case .dimensionTooLarge(_, "classifier.weight", [5000, 2], 4096) = output else {
            Issue.record("got \(output)"); return
        }
    }

    /// Writes the small model with one value of one tensor replaced.
    func modelFile(poisoning name: String, element: Int, with value: Float) -> SafetensorsFile {
        SafetensorsFile(tensors: SequenceClassifier(configuration: small, seed: 1).namedParameters.map { entry in
            var values = entry.values
            if entry.name == name { values[element] = value }
            return SafetensorsFile.Tensor(name: entry.name, shape: entry.shape, values: values)
        })
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func nonFiniteWeightsAreRefusedWithTheTensorsName(value: Float) throws {
        let error = try #require(try loadError(modelFile(poisoning: "LSTM.LSTMCell.a_t_f.weight", element: 5, with: value)))
        guard case .nonFiniteValue(_, let tensor, let index, _) = error else { Issue.record("got \(error)"); return }
        #expect(tensor == "LSTM.LSTMCell.a_t_f.weight" && index == 5)
        #expect(error.description.contains("'LSTM.LSTMCell.a_t_f.weight'") && error.description.contains("element 5"))
    }

    @Test func nonFiniteOptimiserStateIsRefusedAndLeavesTheTrainerUntouched() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trainer = Trainer(model: SequenceClassifier(configuration: small, seed: 2), learningRate: 0.01,
                              maxBatchSize: 2, threads: 1, maxSteps: 3)
        let url = folder.appendingPathComponent("adam.safetensors")
        try trainer.saveState(to: url)
        var file = try SafetensorsFile(contentsOf: url)
        let index = try #require(file.tensors.firstIndex { $0.name == "adam.v.classifier.bias" })
        file.tensors[index].values[1] = .nan
        try file.write(to: url)
        trainer.adam.firstMoments[0] = 7
        do {
            try trainer.loadState(from: url)
            Issue.record("NaN moments were accepted")
        } catch {
            guard case .nonFiniteValue(_, "adam.v.classifier.bias", 1, _) = error else { Issue.record("got \(error)"); return }
        }
        #expect(trainer.adam.firstMoments[0] == 7)
        #expect(trainer.stepCount == 0)
    }

    /// A tensor name carrying an ANSI sequence (here: clear the screen, then red) reaches
    /// messages escaped, never as raw control characters.
    @Test func controlCharactersInTensorNamesAreEscapedInMessages() throws {
        let name = "evil\u{1B}[2J\u{1B}[31m\u{7}\u{202E}name"
        var tensors = SequenceClassifier(configuration: small, seed: 1).namedParameters.map {
            SafetensorsFile.Tensor(name: $0.name, shape: $0.shape, values: $0.values)
        }
        tensors.append(.init(name: name, shape: [1], values: [0]))
        let error = try #require(try loadError(SafetensorsFile(tensors: tensors)))
        guard case .unexpectedTensor(_, let tensor) = error else { Issue.record("got \(error)"); return }
        #expect(tensor == name, "the error keeps the real name for programs")
        #expect(error.description.contains(#"evil\u{1B}[2J\u{1B}[31m\u{7}\u{202E}name"#), "\(error.description)")
        #expect(!error.description.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x202E })
    }

    // MARK: Paths that are not regular files

    func expectNotARegularFile(_ path: String, kind: String) {
        do {
            _ = try SequenceClassifier.loadSafetensors(from: URL(fileURLWithPath: path))
            Issue.record("\(path) was read as weights")
        } catch {
            #expect(error == .notARegularFile(path: path, kind: kind))
            #expect(error.description.contains(path) && error.description.contains("not a regular file"))
        }
    }

    /// A FIFO with no writer would block `open`, and `/dev/zero` never ends: both are
    /// refused at once instead of hanging the run.
    @Test func fifosDevicesAndFoldersAreRefusedWithoutHanging() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("weights.fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        expectNotARegularFile(fifo, kind: "a FIFO (named pipe)")
        expectNotARegularFile("/dev/zero", kind: "a character device")
        expectNotARegularFile(folder.path, kind: "a directory")
        // A link to a device is judged by what it points to.
        let link = folder.appendingPathComponent("zero.safetensors").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/dev/zero")
        expectNotARegularFile(link, kind: "a character device")
    }

    @Test func missingAndEmptyFilesSayWhat() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("none.safetensors")
        #expect(throws: SafetensorsError.unreadable(path: missing.path, reason: "No such file or directory")) {
            try SafetensorsFile(contentsOf: missing)
        }
        let empty = folder.appendingPathComponent("empty.safetensors")
        FileManager.default.createFile(atPath: empty.path, contents: Data())
        #expect(throws: SafetensorsError.tooShort(path: empty.path, byteCount: 0)) { try SafetensorsFile(contentsOf: empty) }
    }

    /// Reading from disk and from memory agree, including on every error.
    @Test func fileAndMemoryReadersAgree() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("m.safetensors")
        let original = modelFile(poisoning: "classifier.bias", element: 0, with: 2.5)
        try original.write(to: url)
        #expect(try SafetensorsFile(contentsOf: url) == SafetensorsFile(data: original.encoded(), source: url.path))
        var truncated = original.encoded()
        truncated.removeLast(3)
        try truncated.write(to: url)
        let fromDisk = #expect(throws: SafetensorsError.self) { try SafetensorsFile(contentsOf: url) }
        let fromMemory = #expect(throws: SafetensorsError.self) { try SafetensorsFile(data: truncated, source: url.path) }
        #expect(fromDisk == fromMemory)
    }
}
