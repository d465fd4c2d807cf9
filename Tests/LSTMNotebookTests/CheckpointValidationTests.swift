import Foundation
import NeuralNetwork
@testable import NotebookTraining
import Testing

/// A checkpoint is only resumed from if every field describes a point of this very run;
/// anything else is set aside with a message and training starts over, with the model and
/// optimiser untouched.
@Suite struct CheckpointValidationTests {
    static let batchesPerEpoch = 3
    let configuration = RecurrentConfiguration(cell: .lstm, inputSize: 28, hiddenSize: 4, outputSize: 10)

    /// The history two complete epochs of three batches leave.
    static func twoEpochs() -> LossHistory {
        var history = LossHistory(batchesPerEpoch: batchesPerEpoch, epochs: 4)
        for epoch in 0..<2 {
            for batch in 0..<batchesPerEpoch { history.record(Float(2.5 - Double(epoch) - 0.1 * Double(batch))) }
            history.endEpoch()
        }
        return history
    }

    func problem(_ edit: (inout LossHistory) -> Void, folder: String = "epoch-0002", epochs: Int = 4) -> String? {
        var history = Self.twoEpochs()
        edit(&history)
        return TrainingCheckpoints.problem(with: history, folderName: folder, epochs: epochs,
                                           batchesPerEpoch: Self.batchesPerEpoch)
    }

    @Test func aGenuineHistoryPasses() {
        #expect(problem { _ in } == nil)
        #expect(problem({ _ in }, epochs: 2) == nil, "a run killed before committing its last epoch resumes")
    }

    @Test func everyEditedFieldIsCaught() {
        // The edit: the list of epoch means tripled.
        #expect(problem { $0.epochMeans += $0.epochMeans + $0.epochMeans }?.contains("6 completed epochs") == true)
        #expect(problem { $0.epochMeans[1] += 0.5 }?.contains("epoch means do not match") == true)
        #expect(problem { $0.epochMeans.removeLast() }?.contains("folder epoch-0002") == true)
        #expect(problem({ $0.epochMeans.removeAll() }, folder: "epoch-0000")?.contains("0 completed epochs") == true)
        #expect(problem { $0.batchLosses.removeLast() }?.contains("5 batch losses") == true)
        #expect(problem { $0.batchLosses[0] = .nan }?.contains("not all finite") == true)
        #expect(problem { $0.batchesPerEpoch = 2 }?.contains("2 batches per epoch") == true)
        #expect(problem({ _ in }, epochs: 1)?.contains("this run has 1") == true)
        #expect(problem({ _ in }, folder: "epoch-0003")?.contains("does not match") == true)
    }

    /// Saves a real checkpoint, damages one file of it, and checks that restoring sets it
    /// aside and changes neither the model nor the optimiser.
    func restoreAfter(damage: (URL) throws -> Void) throws -> (restored: Bool, log: [String], untouched: Bool) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nbrun-ckpt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let messages = Messages()
        let checkpoints = TrainingCheckpoints(directory: directory, runKey: "run", log: messages.append)
        let saved = SequenceClassifier(configuration: configuration, seed: 1)
        let savedTrainer = Trainer(model: saved, learningRate: 0.01, maxBatchSize: 2, threads: 1, maxSteps: 28)
        savedTrainer.adam.stepCount = 2 * Self.batchesPerEpoch
        savedTrainer.adam.firstMoments[3] = 0.25
        try checkpoints.save(model: saved, trainer: savedTrainer, history: Self.twoEpochs())
        try damage(directory.appendingPathComponent("epoch-0002"))

        let model = SequenceClassifier(configuration: configuration, seed: 2)
        let before = model.namedParameters.flatMap(\.values)
        let trainer = Trainer(model: model, learningRate: 0.01, maxBatchSize: 2, threads: 1, maxSteps: 28)
        let restored = checkpoints.restoreLatest(model: model, trainer: trainer, epochs: 4,
                                                 batchesPerEpoch: Self.batchesPerEpoch)
        let untouched = model.namedParameters.flatMap(\.values) == before && trainer.stepCount == 0
            && trainer.adam.firstMoments[3] == 0
        return (restored != nil, messages.lines, untouched)
    }

    @Test func anIntactCheckpointIsRestored() throws {
        let result = try restoreAfter { _ in }
        #expect(result.restored && !result.untouched)
        #expect(result.log == ["Resuming from the checkpoint after epoch 2"])
    }

    @Test func aStepCountThatDisagreesWithTheHistoryIsSetAside() throws {
        let result = try restoreAfter { folder in
            let url = folder.appendingPathComponent("adam.safetensors")
            var file = try SafetensorsFile(contentsOf: url)
            file.metadata["step"] = "5"
            try file.write(to: url)
        }
        #expect(!result.restored && result.untouched)
        #expect(result.log.count == 1 && result.log[0].contains("'5' steps") && result.log[0].contains("training starts over"))
    }

    @Test func nonFiniteWeightsInACheckpointAreSetAside() throws {
        let result = try restoreAfter { folder in
            let url = folder.appendingPathComponent("model.safetensors")
            var file = try SafetensorsFile(contentsOf: url)
            file.tensors[0].values[0] = .infinity
            try file.write(to: url)
        }
        #expect(!result.restored && result.untouched)
        #expect(result.log.first?.contains("cannot be read back") == true, "\(result.log)")
    }

    @Test func damagedOptimiserStateLeavesTheModelUntouched() throws {
        // The weights are valid and would be copied first by a naive restore.
        let result = try restoreAfter { folder in
            let url = folder.appendingPathComponent("adam.safetensors")
            var file = try SafetensorsFile(contentsOf: url)
            file.tensors.removeLast()
            try file.write(to: url)
        }
        #expect(!result.restored && result.untouched)
    }

    @Test func editedHistoryIsSetAside() throws {
        let result = try restoreAfter { folder in
            let url = folder.appendingPathComponent("checkpoint.json")
            var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            var history = try #require(json["history"] as? [String: Any])
            let means = try #require(history["epochMeans"] as? [Any])
            history["epochMeans"] = means + means + means
            json["history"] = history
            try JSONSerialization.data(withJSONObject: json).write(to: url)
        }
        #expect(!result.restored && result.untouched)
        #expect(result.log.first?.contains("6 completed epochs, but this run has 4") == true, "\(result.log)")
    }
}

/// Collects what the checkpoints log (the stage's printed output in a real run).
final class Messages: @unchecked Sendable {
    private(set) var lines: [String] = []
    func append(_ line: String) { lines.append(line) }
}
