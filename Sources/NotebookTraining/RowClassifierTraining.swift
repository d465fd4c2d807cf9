#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import MNIST
import MNISTNotebookData
import NBRun
import NeuralNetwork

/// Trains and tests a `SequenceClassifier` on MNIST row sequences inside a stage: the
/// loop both notebooks' experiments share (shuffled batches from the data stage's loader,
/// one Adam step per batch, progress, cancellation), with the time each epoch took.
public struct RowClassifierTraining {
    public let context: StageContext
    public let sequences: RowSequences
    /// Shown in the progress line ("GRU, D = 50").
    public let label: String

    public init(context: StageContext, sequences: RowSequences, label: String) {
        self.context = context
        self.sequences = sequences
        self.label = label
    }

    /// What a run measured.
    public struct Result: Codable, Equatable, Sendable {
        public var history: LossHistory
        /// Wall-clock seconds per epoch, and the process's CPU seconds per epoch (all
        /// threads): on a shared machine the second does not count time others took.
        public var wallSecondsPerEpoch: Double
        public var cpuSecondsPerEpoch: Double
    }

    /// `epochs` passes of Adam over `loader`'s batches, from a fresh trainer.
    public func train(
        _ model: SequenceClassifier, loader: MNISTLoader, epochs: Int, learningRate: Float
    ) throws -> Result {
        let trainer = makeTrainer(model, loader: loader, learningRate: learningRate)
        return try train(trainer, loader: loader, epochs: epochs,
                         history: LossHistory(batchesPerEpoch: loader.batchCount, epochs: epochs))
    }

    /// A trainer sized for `loader`'s batches and these sequences.
    public func makeTrainer(_ model: SequenceClassifier, loader: MNISTLoader, learningRate: Float) -> Trainer {
        Trainer(model: model, learningRate: learningRate, maxBatchSize: loader.batchSize,
                threads: context.threadCount, maxSteps: sequences.steps)
    }

    /// The epochs after those `history` already holds (a resumed run passes its checkpoint's
    /// history), up to `epochs`; `afterEpoch` sees the history after each one (to print it,
    /// to save a checkpoint). The times are of the epochs run here.
    public func train(
        _ trainer: Trainer, loader: MNISTLoader, epochs: Int, history start: LossHistory,
        afterEpoch: (LossHistory) throws -> Void = { _ in }
    ) throws -> Result {
        var history = start
        // Recording a loss must not grow the array inside the training loop.
        history.batchLosses.reserveCapacity(loader.batchCount * epochs)
        let buffers = BatchBuffers(batchSize: loader.batchSize, pixelsPerImage: sequences.floatsPerSequence)
        let images = UnsafeBufferPointer(buffers.images), labels = UnsafeBufferPointer(buffers.labels)
        let prefix = label.isEmpty ? "" : "\(label): "
        var wall = 0.0, cpu = 0.0
        for epoch in history.completedEpochs..<max(epochs, history.completedEpochs) {
            let batches = loader.epoch(epoch)
            let progress = context.progress(total: batches.batchCount, unit: "batch")
            let wallStart = Date(), cpuStart = Self.processCPUSeconds()
            for batch in 0..<batches.batchCount {
                if context.isCancelled { throw CancellationError() }
                let count = batches.fill(batch: batch, images: buffers.images, labels: buffers.labels)
                sequences.spread(buffers.images, count: count)
                let loss = trainer.step(images: images, labels: labels, batchSize: count, steps: sequences.steps)
                // The loss is already computed: checking it costs nothing, and a NaN or an
                // infinity would otherwise spread into every weight and be saved.
                guard loss.isFinite else {
                    throw TrainingError.nonFiniteLoss(run: label, epoch: epoch + 1, batch: batch + 1, loss: loss)
                }
                history.record(loss)
                progress.advance(status: "\(prefix)epoch \(epoch + 1)/\(epochs), loss \(history.recentMean.formatted4)")
            }
            wall += Date().timeIntervalSince(wallStart)
            cpu += Self.processCPUSeconds() - cpuStart
            progress.finish()
            history.endEpoch()
            try afterEpoch(history)
        }
        let divisor = Double(max(history.completedEpochs - start.completedEpochs, 1))
        return Result(history: history, wallSecondsPerEpoch: wall / divisor, cpuSecondsPerEpoch: cpu / divisor)
    }

    /// Accuracy and confusion matrix on `test`, read with the same blank rows.
    public func evaluate(_ model: SequenceClassifier, on test: MNISTDataset) -> Evaluation {
        let inputs = sequences.sequences(of: test, range: 0..<test.count)
        let predictions = inputs.withUnsafeBufferPointer {
            model.predict(sequences: $0, count: test.count, steps: sequences.steps, threads: context.threadCount).predictions
        }
        return Evaluation(predictions: predictions, labels: test.labels.map(Int.init), classes: model.configuration.outputSize)
    }

    static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}

/// Training that cannot go on.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// `run` names the network when a stage trains several ("GRU, D = 20"), or is empty.
    case nonFiniteLoss(run: String, epoch: Int, batch: Int, loss: Float)

    public var description: String {
        switch self {
        case let .nonFiniteLoss(run, epoch, batch, loss):
            return "training \(run.isEmpty ? "" : "of \(run) ")diverged: the loss of batch \(batch) in epoch \(epoch) is "
                + "\(loss); training stopped there (try a smaller learning-rate)"
        }
    }
}
