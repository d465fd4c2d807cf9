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
    ///
    /// Every field is checked against this run (`epochs`, `batchesPerEpoch`) before anything
    /// is loaded: a checkpoint that does not describe a point of this very run is set aside
    /// with a message, and `model` and `trainer` are left exactly as they were.
    public func restoreLatest(model: SequenceClassifier, trainer: Trainer, epochs: Int, batchesPerEpoch: Int) -> LossHistory? {
        removeTemporaryFolders()
        guard let latest = completeCheckpoints().last else { return nil }
        do {
            let manifest = try JSONDecoder().decode(
                Manifest.self, from: Data(contentsOf: latest.appendingPathComponent("checkpoint.json")))
            guard manifest.runKey == runKey else {
                discard("it was saved by a run with other parameters, code or inputs")
                return nil
            }
            let history = manifest.history
            if let problem = Self.problem(with: history, folderName: latest.lastPathComponent,
                                          epochs: epochs, batchesPerEpoch: batchesPerEpoch) {
                discard(problem)
                return nil
            }
            let weights = try SequenceClassifier.loadSafetensors(from: latest.appendingPathComponent("model.safetensors"))
            guard weights.configuration == model.configuration else {
                discard("its model is \(weights.configuration), this run's is \(model.configuration)")
                return nil
            }
            let adamURL = latest.appendingPathComponent("adam.safetensors")
            let expectedSteps = history.completedEpochs * batchesPerEpoch
            let recordedSteps = try SafetensorsReader(url: adamURL).header.metadata["step"]
            guard recordedSteps == String(expectedSteps) else {
                discard("its optimiser has taken \(recordedSteps.map { "'\($0)'" } ?? "no recorded") steps, "
                    + "but \(history.completedEpochs) epochs of \(batchesPerEpoch) batches take \(expectedSteps)")
                return nil
            }
            try trainer.loadState(from: adamURL)
            for parameter in weights.namedParameters {
                try model.setParameter(named: parameter.name, values: parameter.values)
            }
            log("Resuming from the checkpoint after epoch \(history.completedEpochs)")
            return history
        } catch {
            discard("it cannot be read back (\(error))")
            return nil
        }
    }

    /// Why a checkpoint's loss history cannot belong to this run, or nil if it can.
    static func problem(with history: LossHistory, folderName: String, epochs: Int, batchesPerEpoch: Int) -> String? {
        let completed = history.completedEpochs
        guard history.batchesPerEpoch == batchesPerEpoch else {
            return "it has \(history.batchesPerEpoch) batches per epoch, this run has \(batchesPerEpoch)"
        }
        guard completed >= 1, completed <= epochs else {
            return "it records \(completed) completed epochs, but this run has \(epochs)"
        }
        guard folderName == prefix + String(format: "%04d", completed) else {
            return "its folder \(folderName) does not match the \(completed) epochs it records"
        }
        guard history.batchLosses.count == completed * batchesPerEpoch else {
            return "it records \(history.batchLosses.count) batch losses, but \(completed) epochs of "
                + "\(batchesPerEpoch) batches have \(completed * batchesPerEpoch)"
        }
        guard history.batchLosses.allSatisfy(\.isFinite) else { return "its batch losses are not all finite" }
        // The epoch means are derived data: they must be exactly what the batch losses give.
        var recomputed = LossHistory(batchesPerEpoch: batchesPerEpoch, epochs: 0)
        for epoch in 0..<completed {
            for loss in history.batchLosses[(epoch * batchesPerEpoch)..<((epoch + 1) * batchesPerEpoch)] {
                recomputed.record(loss)
            }
            recomputed.endEpoch()
        }
        guard recomputed.epochMeans == history.epochMeans else {
            return "its epoch means do not match its batch losses"
        }
        return nil
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
