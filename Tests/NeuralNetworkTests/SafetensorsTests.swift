import Foundation
@testable import NeuralNetwork
import Testing

@Suite struct SafetensorsTests {
    let small = RecurrentConfiguration(cell: .lstm, inputSize: 3, hiddenSize: 4, outputSize: 5)

    func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nn-safetensors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A file from a literal header and raw data bytes.
    func file(header: String, dataBytes: Int) -> Data {
        var data = Data()
        var length = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array(header.utf8))
        data.append(contentsOf: [UInt8](repeating: 0, count: dataBytes))
        return data
    }

    @Test func encodeThenDecodeIsLossless() throws {
        let tensors = [
            SafetensorsFile.Tensor(name: "b", shape: [2, 3], values: [1, -2, 3.5, .pi, -0.0, 1e-30]),
            SafetensorsFile.Tensor(name: "a \"quoted\"", shape: [1], values: [42]),
            SafetensorsFile.Tensor(name: "empty", shape: [0, 3], values: []),
        ]
        let original = SafetensorsFile(tensors: tensors, metadata: ["format": "pt", "step": "7"])
        let encoded = original.encoded()
        #expect((encoded.count - 8 - 4 * 7) % 8 == 0, "header is padded to a multiple of 8")
        let decoded = try SafetensorsFile(data: encoded, source: "memory")
        #expect(decoded.metadata == original.metadata)
        for tensor in tensors {
            #expect(decoded.tensor(named: tensor.name) == tensor)
        }
    }

    @Test func modelCheckpointRoundTripsBitForBit() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.safetensors")
        let model = SequenceClassifier(configuration: small, seed: 3)
        try model.saveSafetensors(to: url)
        // Overwrite with a second model: the replacement is whole, with no temporary left behind.
        let second = SequenceClassifier(configuration: small, seed: 4)
        try second.saveSafetensors(to: url)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.safetensors"])
        let loaded = try SequenceClassifier.loadSafetensors(from: url)
        #expect(loaded.configuration == small)
        #expect(loaded.namedParameters.map(\.values) == second.namedParameters.map(\.values))
    }

    @Test func writingIntoAMissingFolderFailsWithoutSideEffects() throws {
        let url = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/model.safetensors")
        #expect(throws: SafetensorsError.self) { try SequenceClassifier(configuration: small, seed: 1).saveSafetensors(to: url) }
        do {
            try SequenceClassifier(configuration: small, seed: 1).saveSafetensors(to: url)
        } catch {
            #expect(error.description.contains(url.path))
        }
    }

    // MARK: Malformed files

    func expectError(_ data: Data, _ expected: SafetensorsError, mentioning words: [String]) {
        do {
            _ = try SafetensorsFile(data: data, source: "bad.safetensors")
            Issue.record("expected \(expected)")
        } catch {
            #expect(error == expected)
            for word in words {
                #expect(error.description.contains(word), "'\(error.description)' should mention \(word)")
            }
        }
    }

    @Test func tooShortFile() {
        expectError(Data([1, 2, 3]), .tooShort(path: "bad.safetensors", byteCount: 3), mentioning: ["bad.safetensors", "3 bytes"])
    }

    @Test func headerLengthBeyondTheFile() {
        var data = file(header: "{}", dataBytes: 0)
        data[0] = 200
        expectError(data, .headerLengthOutOfRange(path: "bad.safetensors", declared: 200, available: 2), mentioning: ["200"])
    }

    @Test func headerThatIsNotJSON() {
        do {
            _ = try SafetensorsFile(data: file(header: "{\"a\": [1, 2", dataBytes: 0), source: "x")
            Issue.record("expected an error")
        } catch {
            guard case .headerNotJSON = error else { Issue.record("got \(error)"); return }
            #expect(error.description.contains("not a JSON object"))
        }
        expectError(file(header: "[1, 2]", dataBytes: 0),
                    .headerNotJSON(path: "bad.safetensors", reason: "top level is not an object"), mentioning: ["JSON"])
    }

    @Test func wrongDType() {
        let header = #"{"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#
        expectError(file(header: header, dataBytes: 4),
                    .unsupportedDType(path: "bad.safetensors", tensor: "w", dtype: "F16"), mentioning: ["'w'", "F16"])
    }

    @Test func shapeDisagreeingWithTheByteSpan() {
        let header = #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#
        expectError(file(header: header, dataBytes: 8),
                    .byteCountMismatch(path: "bad.safetensors", tensor: "w", shape: [3], expectedByteCount: 12, byteCount: 8),
                    mentioning: ["'w'", "12"])
    }

    /// 2^62 × 4 elements × 4 bytes overflows Int: a crafted file must get an error, not a trap.
    @Test func shapeWhoseByteCountOverflowsIsRejected() {
        let header = #"{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#
        expectError(file(header: header, dataBytes: 8),
                    .malformedEntry(path: "bad.safetensors", tensor: "w",
                                    reason: "shape [4611686018427387904, 4] has more elements than any file can hold (byte count overflows)"),
                    mentioning: ["'w'", "overflow"])
        #expect(SafetensorsFile.float32ByteCount(of: [4_611_686_018_427_387_904, 4]) == nil)
        #expect(SafetensorsFile.float32ByteCount(of: [Int.max]) == nil)
        #expect(SafetensorsFile.float32ByteCount(of: [2, -3]) == nil)
        #expect(SafetensorsFile.float32ByteCount(of: [128, 512]) == 262_144)
        #expect(SafetensorsFile.float32ByteCount(of: []) == 4)
        #expect(SafetensorsFile.float32ByteCount(of: [0, 3]) == 0)
    }

    @Test func truncatedData() {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}}"#
        expectError(file(header: header, dataBytes: 20),
                    .dataOutOfRange(path: "bad.safetensors", tensor: "w", begin: 8, end: 24, dataByteCount: 20),
                    mentioning: ["'w'", "truncated"])
    }

    @Test func overlappingOffsets() {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        expectError(file(header: header, dataBytes: 12),
                    .overlappingTensors(path: "bad.safetensors", first: "a", second: "b"), mentioning: ["'a'", "'b'", "overlap"])
    }

    @Test func gapsAndTrailingBytesAreRejectedLikeTheReferenceLoader() {
        let gap = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        expectError(file(header: gap, dataBytes: 12),
                    .gapBeforeTensor(path: "bad.safetensors", tensor: "b", expectedBegin: 4, begin: 8), mentioning: ["'b'", "gap"])
        let trailing = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        expectError(file(header: trailing, dataBytes: 10),
                    .trailingBytes(path: "bad.safetensors", count: 6), mentioning: ["6 bytes"])
    }

    @Test func malformedEntries() {
        let missingOffsets = #"{"w":{"dtype":"F32","shape":[2]}}"#
        expectError(file(header: missingOffsets, dataBytes: 8),
                    .malformedEntry(path: "bad.safetensors", tensor: "w",
                                    reason: "data_offsets is not [begin, end] with 0 ≤ begin ≤ end"),
                    mentioning: ["'w'", "data_offsets"])
        let badShape = #"{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#
        expectError(file(header: badShape, dataBytes: 8),
                    .malformedEntry(path: "bad.safetensors", tensor: "w", reason: "shape is not a list of non-negative integers"),
                    mentioning: ["'w'", "shape"])
    }

    // MARK: Files that parse but do not fit the model

    /// Writes the small model's tensors after `edit` and tries to load them as a model.
    func loadEdited(_ edit: (inout [SafetensorsFile.Tensor]) -> Void) throws -> SafetensorsError? {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("edited.safetensors")
        var tensors = SequenceClassifier(configuration: small, seed: 1).namedParameters.map {
            SafetensorsFile.Tensor(name: $0.name, shape: $0.shape, values: $0.values)
        }
        edit(&tensors)
        try SafetensorsFile(tensors: tensors).write(to: url)
        do {
            _ = try SequenceClassifier.loadSafetensors(from: url)
            return nil
        } catch {
            return error
        }
    }

    @Test func missingTensorIsNamed() throws {
        let error = try #require(try loadEdited { $0.removeAll { $0.name == "LSTM.LSTMCell.a_t_f.bias" } })
        guard case .missingTensor(_, let tensor) = error else { Issue.record("got \(error)"); return }
        #expect(tensor == "LSTM.LSTMCell.a_t_f.bias")
        #expect(error.description.contains("missing tensor 'LSTM.LSTMCell.a_t_f.bias'"))
    }

    @Test func extraTensorIsNamed() throws {
        let error = try #require(try loadEdited { $0.append(.init(name: "LSTM.LSTMCell.peephole", shape: [1], values: [0])) })
        guard case .unexpectedTensor(_, let tensor) = error else { Issue.record("got \(error)"); return }
        #expect(tensor == "LSTM.LSTMCell.peephole")
    }

    @Test func wrongShapeIsNamed() throws {
        let error = try #require(try loadEdited { tensors in
            let index = tensors.firstIndex { $0.name == "LSTM.LSTMCell.a_t_o.weight" }!
            tensors[index] = .init(name: tensors[index].name, shape: [2, 8], values: tensors[index].values)
        })
        #expect(error == .shapeMismatch(path: error.pathForTest, tensor: "LSTM.LSTMCell.a_t_o.weight", expected: [4, 4], found: [2, 8]))
        #expect(error.description.contains("[2, 8]") && error.description.contains("[4, 4]"))
    }

    @Test func failedLoadLeavesTheCallerWithNothingHalfLoaded() throws {
        // A state file with one missing tensor must not change the trainer's moments.
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = SequenceClassifier(configuration: small, seed: 2)
        let trainer = Trainer(model: model, learningRate: 0.01, maxBatchSize: 2, threads: 1, maxSteps: 3)
        let url = folder.appendingPathComponent("state.safetensors")
        try trainer.saveState(to: url)
        var file = try SafetensorsFile(contentsOf: url)
        file.tensors.removeLast()
        try file.write(to: url)
        trainer.adam.firstMoments[0] = 123
        #expect(throws: SafetensorsError.self) { try trainer.loadState(from: url) }
        #expect(trainer.adam.firstMoments[0] == 123)
    }
}

extension SafetensorsError {
    var pathForTest: String {
        switch self {
        case .shapeMismatch(let path, _, _, _), .missingTensor(let path, _), .unexpectedTensor(let path, _): path
        default: ""
        }
    }
}
