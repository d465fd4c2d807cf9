import Foundation
@testable import NeuralNetwork
import Testing

@Suite struct TrainerTests {
    let configuration = RecurrentConfiguration(cell: .lstm, inputSize: 6, hiddenSize: 20, outputSize: 4)
    let steps = 5

    func randomBatch(_ count: Int, seed: UInt64) -> (images: [Float], labels: [Int32]) {
        var generator = SeededGenerator(seed: seed)
        return ((0..<count * steps * configuration.inputSize).map { _ in generator.nextUnitFloat() },
                (0..<count).map { _ in Int32(generator.next() % UInt64(configuration.outputSize)) })
    }

    func train(
        threads: Int, batches: [(images: [Float], labels: [Int32])], maxBatch: Int, cell: RecurrentCellKind = .lstm
    ) -> [Float] {
        var configuration = configuration
        configuration.cell = cell
        let model = SequenceClassifier(configuration: configuration, seed: 21)
        let trainer = Trainer(model: model, learningRate: 0.01, maxBatchSize: maxBatch, threads: threads, maxSteps: steps)
        for batch in batches {
            batch.images.withUnsafeBufferPointer { images in
                batch.labels.withUnsafeBufferPointer { labels in
                    _ = trainer.step(images: images, labels: labels, batchSize: batch.labels.count, steps: steps)
                }
            }
        }
        return model.namedParameters.flatMap(\.values)
    }

    @Test(arguments: [RecurrentCellKind.lstm, .gru, .rnn])
    func oneAndTwoThreadsGiveBitIdenticalWeights(cell: RecurrentCellKind) {
        // 40 = shards of 16, 16 and 8; then a smaller last batch of 7.
        let batches = [randomBatch(40, seed: 1), randomBatch(40, seed: 2), randomBatch(7, seed: 3)]
        let single = train(threads: 1, batches: batches, maxBatch: 40, cell: cell)
        let double = train(threads: 2, batches: batches, maxBatch: 40, cell: cell)
        #expect(single.map(\.bitPattern) == double.map(\.bitPattern))
        var configuration = configuration
        configuration.cell = cell
        #expect(single != SequenceClassifier(configuration: configuration, seed: 21).namedParameters.flatMap(\.values))
    }

    @Test func lossOfAShardedBatchIsTheMeanOfPerSampleLosses() throws {
        let model = SequenceClassifier(configuration: configuration, seed: 4)
        let (images, labels) = randomBatch(20, seed: 9)
        let trainer = Trainer(model: model, learningRate: 0.01, maxBatchSize: 32, threads: 2, maxSteps: steps)
        let loss = images.withUnsafeBufferPointer { images in
            labels.withUnsafeBufferPointer { labels in
                trainer.computeGradients(images: images, labels: labels, batchSize: 20, steps: steps)
            }
        }
        let reference = DoubleReferenceModel(model).loss(inputs: images, labels: labels, steps: steps)
        #expect(abs(Double(loss) - reference) <= 1e-5)
    }

    /// A task the model can only solve by remembering: the class is the step (0…3) at which
    /// a bright row appears; every other row is dim noise.
    @Test(arguments: [RecurrentCellKind.lstm, .gru, .rnn])
    func lossFallsOnASmallSequenceTask(cell: RecurrentCellKind) {
        var configuration = configuration
        configuration.cell = cell
        let model = SequenceClassifier(configuration: configuration, seed: 8)
        let trainer = Trainer(model: model, learningRate: 0.02, maxBatchSize: 32, threads: 1, maxSteps: steps)
        var generator = SeededGenerator(seed: 99)
        func batch() -> ([Float], [Int32]) {
            var images: [Float] = [], labels: [Int32] = []
            for _ in 0..<32 {
                let label = Int(generator.next() % 4)
                labels.append(Int32(label))
                for step in 0..<steps {
                    for _ in 0..<configuration.inputSize {
                        images.append(step == label ? 0.9 + 0.1 * generator.nextUnitFloat() : 0.2 * generator.nextUnitFloat())
                    }
                }
            }
            return (images, labels)
        }
        var losses: [Float] = []
        for _ in 0..<150 {
            let (images, labels) = batch()
            losses.append(images.withUnsafeBufferPointer { images in
                labels.withUnsafeBufferPointer { trainer.step(images: images, labels: $0, batchSize: 32, steps: steps) }
            })
        }
        // Before the first update every cell is near chance; the plain RNN learns this short
        // task within a few batches, so the first batch, not a mean of the first ten, is the start.
        let first = losses[0], last = losses.suffix(10).reduce(0, +) / 10
        #expect(first > 1.2, "starts near ln 4 = 1.39")
        #expect(last < 0.3 * first, "loss went from \(first) to a mean of \(last) over the last ten batches")
        #expect(trainer.stepCount == 150)

        let (images, labels) = batch()
        let predictions = images.withUnsafeBufferPointer { model.predict(sequences: $0, count: 32, steps: steps, threads: 2).predictions }
        let correct = zip(predictions, labels).filter { $0 == Int($1) }.count
        #expect(correct >= 28, "\(correct)/32 correct after training")
    }

    @Test(arguments: [RecurrentCellKind.lstm, .gru, .rnn])
    func savedStateResumesTrainingBitIdentically(cell: RecurrentCellKind) throws {
        var configuration = configuration
        configuration.cell = cell
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nn-trainer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let batches = (0..<4).map { randomBatch(10, seed: UInt64(30 + $0)) }
        func run(_ trainer: Trainer, _ range: Range<Int>) {
            for index in range {
                batches[index].images.withUnsafeBufferPointer { images in
                    batches[index].labels.withUnsafeBufferPointer { labels in
                        _ = trainer.step(images: images, labels: labels, batchSize: 10, steps: steps)
                    }
                }
            }
        }
        let uninterrupted = SequenceClassifier(configuration: configuration, seed: 5)
        run(Trainer(model: uninterrupted, learningRate: 0.01, maxBatchSize: 10, threads: 1, maxSteps: steps), 0..<4)

        let first = SequenceClassifier(configuration: configuration, seed: 5)
        let firstTrainer = Trainer(model: first, learningRate: 0.01, maxBatchSize: 10, threads: 1, maxSteps: steps)
        run(firstTrainer, 0..<2)
        try first.saveSafetensors(to: folder.appendingPathComponent("model.safetensors"))
        try firstTrainer.saveState(to: folder.appendingPathComponent("adam.safetensors"))

        let resumed = try SequenceClassifier.loadSafetensors(from: folder.appendingPathComponent("model.safetensors"))
        let resumedTrainer = Trainer(model: resumed, learningRate: 0.01, maxBatchSize: 10, threads: 2, maxSteps: steps)
        try resumedTrainer.loadState(from: folder.appendingPathComponent("adam.safetensors"))
        #expect(resumedTrainer.stepCount == 2)
        #expect(resumed.configuration == configuration, "the checkpoint names its cell")
        run(resumedTrainer, 2..<4)
        #expect(resumed.namedParameters.flatMap(\.values) == uninterrupted.namedParameters.flatMap(\.values))
    }

    @Test func stateFileWithoutStepCountIsRejected() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nn-state-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let trainer = Trainer(model: SequenceClassifier(configuration: configuration, seed: 1),
                              learningRate: 0.01, maxBatchSize: 4, threads: 1, maxSteps: steps)
        let url = folder.appendingPathComponent("state.safetensors")
        try trainer.saveState(to: url)
        var file = try SafetensorsFile(contentsOf: url)
        #expect(file.tensor(named: "adam.m.classifier.weight")?.shape == [4, 20])
        file.metadata["step"] = "seven"
        try file.write(to: url)
        #expect(throws: SafetensorsError.badMetadata(path: url.path, key: "step", reason: "'seven' is not a non-negative integer")) {
            try trainer.loadState(from: url)
        }
    }
}

extension TrainerTests {
    @Test func profilingRecordsEveryPhaseWithoutChangingResults() {
        let batch = randomBatch(20, seed: 40)
        func run(profile: Bool) -> ([Float], PhaseTimes) {
            let model = SequenceClassifier(configuration: configuration, seed: 2)
            let trainer = Trainer(model: model, learningRate: 0.01, maxBatchSize: 20, threads: 1, maxSteps: steps)
            trainer.isProfiling = profile
            batch.images.withUnsafeBufferPointer { images in
                batch.labels.withUnsafeBufferPointer { labels in
                    _ = trainer.step(images: images, labels: labels, batchSize: 20, steps: steps)
                }
            }
            return (model.namedParameters.flatMap(\.values), trainer.phaseTimes)
        }
        let (plain, nothing) = run(profile: false)
        let (profiled, phases) = run(profile: true)
        #expect(plain == profiled)
        #expect(nothing == PhaseTimes())
        for (name, seconds) in [("input projection", phases.inputProjection), ("recurrent forward", phases.recurrentForward),
                                ("activations", phases.activations), ("gate backward", phases.gateBackward),
                                ("recurrent backward", phases.recurrentBackward), ("weight gradients", phases.weightGradients),
                                ("optimiser", phases.optimiser)] {
            #expect(seconds > 0, "\(name) was not timed")
        }
        #expect(abs(phases.total - (phases.inputProjection + phases.recurrentForward + phases.activations
            + phases.classifierAndLoss + phases.gateBackward + phases.recurrentBackward + phases.weightGradients
            + phases.optimiser)) < 1e-12)
    }
}

/// At the reference size the parameter count (82,186) is not a multiple of 16, which is where
/// splitting the optimiser's work across threads can go wrong.
@Suite struct ReferenceSizeTrainerTests {
    @Test func everyThreadCountTrainsEveryParameterIdentically() throws {
        let configuration = RecurrentConfiguration(cell: .lstm, inputSize: 28, hiddenSize: 128, outputSize: 10)
        let steps = 28, batchSize = 2
        var generator = SeededGenerator(seed: 12)
        let batches: [(images: [Float], labels: [Int32])] = (0..<2).map { _ in
            ((0..<batchSize * steps * 28).map { _ in generator.nextUnitFloat() },
             (0..<batchSize).map { _ in Int32(generator.next() % 10) })
        }
        let initial = SequenceClassifier(configuration: configuration, seed: 3).namedParameters
        #expect(initial.last?.name == "classifier.bias", "the tensor at the end of the flat layout")

        func train(threads: Int) -> [(name: String, shape: [Int], values: [Float])] {
            let model = SequenceClassifier(configuration: configuration, seed: 3)
            #expect(model.parameterCount == 82_186)
            let trainer = Trainer(model: model, learningRate: 1e-3, maxBatchSize: batchSize, threads: threads, maxSteps: steps)
            for batch in batches {
                batch.images.withUnsafeBufferPointer { images in
                    batch.labels.withUnsafeBufferPointer { labels in
                        _ = trainer.step(images: images, labels: labels, batchSize: batchSize, steps: steps)
                    }
                }
            }
            return model.namedParameters
        }

        let single = train(threads: 1)
        for (before, after) in zip(initial, single) {
            #expect(zip(before.values, after.values).contains { $0 != $1 }, "\(after.name) was not updated")
        }
        // Softmax − one-hot is never zero, so Adam moves every classifier bias on every step.
        let bias = try #require(single.last)
        #expect(zip(initial.last!.values, bias.values).allSatisfy { $0 != $1 }, "some classifier.bias entries never moved")

        for threads in [2, 3, 12, 16] {
            let trained = train(threads: threads)
            for (reference, candidate) in zip(single, trained) {
                let differing = zip(reference.values, candidate.values).filter { $0.bitPattern != $1.bitPattern }.count
                #expect(differing == 0, "\(differing) of \(candidate.values.count) values of \(candidate.name) differ with \(threads) threads from 1 thread")
            }
        }
    }
}
