#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import MNIST
import MNISTNotebookData
import NBRunCore
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

    /// `epochs` passes of Adam over `loader`'s batches.
    public func train(
        _ model: SequenceClassifier, loader: MNISTLoader, epochs: Int, learningRate: Float
    ) throws -> Result {
        let trainer = Trainer(model: model, learningRate: learningRate, maxBatchSize: loader.batchSize,
                              threads: context.threadCount, maxSteps: sequences.steps)
        var history = LossHistory(batchesPerEpoch: loader.batchCount, epochs: epochs)
        let buffers = BatchBuffers(batchSize: loader.batchSize, pixelsPerImage: sequences.floatsPerSequence)
        let images = UnsafeBufferPointer(buffers.images), labels = UnsafeBufferPointer(buffers.labels)
        var wall = 0.0, cpu = 0.0
        for epoch in 0..<epochs {
            let batches = loader.epoch(epoch)
            let progress = context.progress(total: batches.batchCount, unit: "batch")
            let wallStart = Date(), cpuStart = Self.processCPUSeconds()
            for batch in 0..<batches.batchCount {
                if context.isCancelled { throw CancellationError() }
                let count = batches.fill(batch: batch, images: buffers.images, labels: buffers.labels)
                sequences.spread(buffers.images, count: count)
                let loss = trainer.step(images: images, labels: labels, batchSize: count, steps: sequences.steps)
                guard loss.isFinite else {
                    throw TrainingError.nonFiniteLoss(run: label, epoch: epoch + 1, batch: batch + 1, loss: loss)
                }
                history.record(loss)
                progress.advance(status: "\(label): epoch \(epoch + 1)/\(epochs), loss \(history.recentMean.formatted4)")
            }
            wall += Date().timeIntervalSince(wallStart)
            cpu += Self.processCPUSeconds() - cpuStart
            progress.finish()
            history.endEpoch()
        }
        let divisor = Double(max(epochs, 1))
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
    case nonFiniteLoss(run: String, epoch: Int, batch: Int, loss: Float)

    public var description: String {
        switch self {
        case let .nonFiniteLoss(run, epoch, batch, loss):
            return "\(run): the loss became \(loss) at batch \(batch) of epoch \(epoch); "
                + "the weights are no longer usable (try a smaller learning rate)"
        }
    }
}
