import Figures
import Foundation
import MNIST
import MNISTNotebookData
import NBRunCore
import NeuralNetwork
import NotebookTraining

/// Cell 4: ten epochs of Adam on the cross-entropy loss, one checkpoint per epoch.
struct TrainStage: Stage {
    static let kind = "lstm.train"
    static let summary = "Train the model with Adam on softmax cross-entropy, checkpointing after every epoch."
    static let sourceFileName = "TrainStage.swift"
    static let parameters = [
        ParameterSpec("epochs", .integer(0...1000), default: .integer(10),
                      "Passes over the training set (0 passes the built model through, e.g. to test given weights)."),
        ParameterSpec("learning-rate", .number(1e-6...1), default: .number(0.001), "Adam's step size."),
    ]

    func run(_ context: StageContext) throws {
        let data = try NotebookData(context)
        let training = try data.trainingSet()
        let loader = data.trainingLoader(training)
        let epochs = context.parameters.int("epochs")

        let model = try SequenceClassifier.loadSafetensors(from: context.inputArtifact("model.safetensors"))
        let trainer = Trainer(model: model, learningRate: Float(context.parameters.double("learning-rate")),
                              maxBatchSize: loader.batchSize, threads: context.threadCount, maxSteps: training.rows)
        var history = LossHistory(batchesPerEpoch: loader.batchCount, epochs: epochs)

        // Resume after an interruption: weights, Adam's moments and the losses so far.
        let checkpoints = TrainingCheckpoints(directory: context.resumeDirectory, runKey: context.fingerprint,
                                              log: context.print)
        if let resumed = checkpoints.restoreLatest(model: model, trainer: trainer, epochs: epochs,
                                                   batchesPerEpoch: loader.batchCount) {
            history = resumed
            history.batchLosses.reserveCapacity(loader.batchCount * epochs)
            for epoch in 0..<history.completedEpochs {
                context.print("Epoch \(epoch + 1)/\(epochs), Loss: \(history.epochMeans[epoch].formatted4)")
            }
        }

        let buffers = BatchBuffers(batchSize: loader.batchSize, pixelsPerImage: training.pixelsPerImage)
        for epoch in history.completedEpochs..<epochs {
            let batches = loader.epoch(epoch)
            let progress = context.progress(total: batches.batchCount, unit: "batch")
            for batch in 0..<batches.batchCount {
                if context.isCancelled { throw CancellationError() }
                let count = batches.fill(batch: batch, images: buffers.images, labels: buffers.labels)
                let loss = trainer.step(images: UnsafeBufferPointer(buffers.images),
                                        labels: UnsafeBufferPointer(buffers.labels), batchSize: count,
                                        steps: training.rows)
                // The loss is already computed: checking it costs nothing, and a NaN or an
                // infinity would otherwise spread into every weight and be saved.
                guard loss.isFinite else { throw NotebookError.nonFiniteLoss(epoch: epoch + 1, batch: batch + 1, loss: loss) }
                history.record(loss)
                progress.advance(status: "epoch \(epoch + 1)/\(epochs), loss \(history.recentMean.formatted4)")
            }
            progress.finish()
            history.endEpoch()
            context.print("Epoch \(epoch + 1)/\(epochs), Loss: \(history.epochMeans[epoch].formatted4)")
            try checkpoints.save(model: model, trainer: trainer, history: history)
        }

        try model.saveSafetensors(to: context.outputURL(for: "model.safetensors"))
        try context.writeArtifact(history.jsonData(), named: "loss-history.json")
        if epochs > 0 {
            try PNGWriter.write(history.chart(), to: context.outputURL(for: "loss.png"))
            context.addFigure("loss.png", caption: "Training loss per batch, smoothed, and per epoch")
        } else {
            context.print("No training (epochs = 0): the model goes to the next cells as built.")
        }
    }
}
