import AtomicFiles
import Foundation
import MNISTNotebookData
import NeuralNetwork

/// One complete checkpoint per finished epoch, so that an interrupted `train` resumes
/// exactly where the last complete epoch left it.
///
/// A checkpoint is a folder `epoch-NNNN` holding the weights, Adam's state (moments and step
/// count) and the loss history, each written atomically. The folder is filled under a
/// temporary name and renamed into place, so a kill at any moment leaves either no new
/// checkpoint or a complete one. Nothing else needs saving: the training set's order in
/// epoch `e` depends only on (seed, e), and the model has no other randomness.
///
/// `runKey` is the stage's fingerprint: a checkpoint left by a run with other parameters,
/// code or inputs is removed, never resumed from. So is one that cannot be read back
/// (a damaged disk, a hand-edited file): training then starts over, saying why.
public struct TrainingCheckpoints {
    public let directory: URL
    public let runKey: String
    /// Where to say that a checkpoint was resumed from or set aside (the stage's output).
    public let log: (String) -> Void

    public init(directory: URL, runKey: String, log: @escaping (String) -> Void) {
        self.directory = directory
        self.runKey = runKey
        self.log = log
    }

    private static let prefix = "epoch-"
    private var fileManager: FileManager { .default }

    private struct Manifest: Codable {
        var runKey: String
        var history: LossHistory
    }

    public func save(model: SequenceClassifier, trainer: Trainer, history: LossHistory) throws {
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        let name = Self.prefix + String(format: "%04d", history.completedEpochs)
        let temporary = directory.appendingPathComponent(".\(name).\(getpid()).tmp")
        try? fileManager.removeItem(at: temporary)
        try fileManager.createDirectory(at: temporary, withIntermediateDirectories: true)
        try model.saveSafetensors(to: temporary.appendingPathComponent("model.safetensors"))
        try trainer.saveState(to: temporary.appendingPathComponent("adam.safetensors"))
        try AtomicFile.write(Manifest(runKey: runKey, history: history).jsonData(),
                             to: temporary.appendingPathComponent("checkpoint.json"))
        let final = directory.appendingPathComponent(name)
        try? fileManager.removeItem(at: final)
        try fileManager.moveItem(at: temporary, to: final)
        // Earlier checkpoints are superseded only once the new one is complete.
        for older in completeCheckpoints().dropLast() {
            try? fileManager.removeItem(at: older)
        }
    }

    /// Loads the newest complete checkpoint of this run into `model` and `trainer`, and
    /// returns its loss history; nil when there is none to resume from.
    public func restoreLatest(model: SequenceClassifier, trainer: Trainer) -> LossHistory? {
        removeTemporaryFolders()
        guard let latest = completeCheckpoints().last else { return nil }
        do {
            let manifest = try JSONDecoder().decode(
                Manifest.self, from: Data(contentsOf: latest.appendingPathComponent("checkpoint.json")))
            guard manifest.runKey == runKey else {
                discard("it was saved by a run with other parameters, code or inputs")
                return nil
            }
            let weights = try SequenceClassifier.loadSafetensors(from: latest.appendingPathComponent("model.safetensors"))
            guard weights.configuration == model.configuration else {
                discard("its model is \(weights.configuration), this run's is \(model.configuration)")
                return nil
            }
            for parameter in weights.namedParameters {
                try model.setParameter(named: parameter.name, values: parameter.values)
            }
            try trainer.loadState(from: latest.appendingPathComponent("adam.safetensors"))
            log("Resuming from the checkpoint after epoch \(manifest.history.completedEpochs)")
            return manifest.history
        } catch {
            discard("it cannot be read back (\(error))")
            return nil
        }
    }

    private func discard(_ reason: String) {
        log("Not resuming from the checkpoint in \(directory.path): \(reason); training starts over")
        try? fileManager.removeItem(at: directory)
    }

    private func completeCheckpoints() -> [URL] {
        let names = (try? fileManager.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix(Self.prefix) }.sorted().map(directory.appendingPathComponent)
    }

    private func removeTemporaryFolders() {
        let names = (try? fileManager.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            try? fileManager.removeItem(at: directory.appendingPathComponent(name))
        }
    }
}
