import Figures
import Foundation
import MNIST
import MNISTNotebookData
import NBRun
import NeuralNetwork
import NotebookTraining

/// Cell 4: ten epochs of Adam on the cross-entropy loss, one checkpoint per epoch.
struct TrainStage: Stage {
    static let summary = "Train the model with Adam on softmax cross-entropy, checkpointing after every epoch."
    static let loss = FigureOutput("loss.png")

    @Parameter(help: "Passes over the training set (0 passes the built model through, e.g. to test given weights).",
               range: 0...1000)
    var epochs = 10
    @Parameter(help: "Adam's step size.", range: 1e-6...1) var learningRate = 0.001

    func run(_ context: StageContext) throws {
        let data = try NotebookData(context)
        let trainingSet = try data.trainingSet()
        let loader = data.trainingLoader(trainingSet)

        let model = try context.read(LSTMArtifacts.model)
        // One image row per step, trained by the loop both notebooks share.
        let training = RowClassifierTraining(context: context, sequences: RowSequences(trainingSet), label: "")
        let trainer = training.makeTrainer(model, loader: loader,
                                           learningRate: Float(learningRate))
        var history = LossHistory(batchesPerEpoch: loader.batchCount, epochs: epochs)

        // Resume after an interruption: weights, Adam's moments and the losses so far.
        let checkpoints = TrainingCheckpoints(directory: context.resumeDirectory, runKey: context.fingerprint,
                                              log: context.print)
        if let resumed = checkpoints.restoreLatest(model: model, trainer: trainer, epochs: epochs,
                                                   batchesPerEpoch: loader.batchCount) {
            history = resumed
            for epoch in 0..<history.completedEpochs {
                context.print("Epoch \(epoch + 1)/\(epochs), Loss: \(history.epochMeans[epoch].formatted4)")
            }
        }

        history = try training.train(trainer, loader: loader, epochs: epochs, history: history) { history in
            context.print("Epoch \(history.completedEpochs)/\(epochs), Loss: \(history.epochMeans.last!.formatted4)")
            try checkpoints.save(model: model, trainer: trainer, history: history)
        }.history

        try context.write(model, to: LSTMArtifacts.model)
        try context.writeArtifact(history.jsonData(), named: "loss-history.json")
        if epochs > 0 {
            try context.recordMetric("final-loss", history.epochMeans.last!)
            try context.write(Self.loss, caption: "Training loss per batch, smoothed, and per epoch") {
                try PNGWriter.write(history.chart(), to: $0)
            }
        } else {
            context.print("No training (epochs = 0): the model goes to the next cells as built.")
        }
    }
}
