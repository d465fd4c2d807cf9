@testable import NeuralNetwork
import Testing

/// The column split (`ColumnSplitPass`) must train exactly like the split by sequences: the
/// same bits for every thread count, with the hidden units cut into whole panels (one
/// thread may own none), ragged last panels, a short last shard and a smaller last batch.
@Suite struct ColumnSplitTests {
    let steps = 5

    func batch(_ count: Int, seed: UInt64, configuration: RecurrentConfiguration) -> (images: [Float], labels: [Int32]) {
        var generator = SeededGenerator(seed: seed)
        return ((0..<count * steps * configuration.inputSize).map { _ in generator.nextUnitFloat() },
                (0..<count).map { _ in Int32(generator.next() % UInt64(configuration.outputSize)) })
    }

    /// Weights after three Adam steps, and whether the trainer split by columns.
    func train(_ configuration: RecurrentConfiguration, threads: Int, split: Bool?) -> (weights: [Float], split: Bool) {
        let batches = [batch(40, seed: 1, configuration: configuration), batch(40, seed: 2, configuration: configuration),
                       batch(7, seed: 3, configuration: configuration)]
        let model = SequenceClassifier(configuration: configuration, seed: 21)
        let trainer = Trainer(model: model, learningRate: 0.01, maxBatchSize: 40, threads: threads, maxSteps: steps,
                              splitByColumns: split)
        for batch in batches {
            batch.images.withUnsafeBufferPointer { images in
                batch.labels.withUnsafeBufferPointer { labels in
                    _ = trainer.step(images: images, labels: labels, batchSize: batch.labels.count, steps: steps)
                }
            }
        }
        return (model.namedParameters.flatMap(\.values), trainer.splitsByColumns)
    }

    /// Hidden 20: one panel, so with two threads one owns no unit. Hidden 70: three panels,
    /// the last 6 columns wide. Hidden 96: three full panels shared 1/2 between two threads.
    @Test(arguments: [RecurrentCellKind.lstm, .rnn], [20, 70, 96])
    func columnSplitTrainsBitIdenticallyToTheSequenceSplit(cell: RecurrentCellKind, hidden: Int) {
        let configuration = RecurrentConfiguration(cell: cell, inputSize: 6, hiddenSize: hidden, outputSize: 4)
        let reference = train(configuration, threads: 1, split: false)
        #expect(!reference.split)
        #expect(reference.weights != SequenceClassifier(configuration: configuration, seed: 21).namedParameters.flatMap(\.values))
        // 64 (the trainer's cap) is more than this machine's cores: the team stops at the cores.
        for threads in [1, 2, 3, 64] {
            let split = train(configuration, threads: threads, split: true)
            #expect(split.split)
            let differing = zip(reference.weights, split.weights).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(differing) of \(split.weights.count) weights differ split by columns on \(threads) threads")
        }
        let sequences = train(configuration, threads: 2, split: false)
        #expect(sequences.weights.map(\.bitPattern) == reference.weights.map(\.bitPattern))
    }

    @Test func theGRUKeepsTheSequenceSplitEvenWhenAskedToSplitByColumns() {
        let configuration = RecurrentConfiguration(cell: .gru, inputSize: 6, hiddenSize: 40, outputSize: 4)
        let forced = train(configuration, threads: 2, split: true)
        #expect(!forced.split)
        #expect(forced.weights.map(\.bitPattern) == train(configuration, threads: 1, split: false).weights.map(\.bitPattern))
    }

    @Test func theSplitIsChosenByTheSizeOfTheRecurrentWeights() {
        func splits(_ cell: RecurrentCellKind, hidden: Int) -> Bool {
            Trainer.splitsByColumnsByDefault(
                RecurrentConfiguration(cell: cell, inputSize: 28, hiddenSize: hidden, outputSize: 10))
        }
        // 8 MiB of Waᵀ: 4·H·4H bytes for the LSTM, 4·H·H for the RNN.
        #expect(!splits(.lstm, hidden: 512))
        #expect(!splits(.lstm, hidden: 724))
        #expect(splits(.lstm, hidden: 725))
        #expect(splits(.lstm, hidden: 1024))
        #expect(!splits(.rnn, hidden: 1448))
        #expect(splits(.rnn, hidden: 1449))
        #expect(!splits(.gru, hidden: 4096))
        // A trainer takes that choice, and a forced choice over it.
        let small = SequenceClassifier(
            configuration: RecurrentConfiguration(cell: .lstm, inputSize: 3, hiddenSize: 20, outputSize: 2), seed: 1)
        #expect(!Trainer(model: small, learningRate: 0.01, maxBatchSize: 16, threads: 2, maxSteps: 2).splitsByColumns)
        #expect(Trainer(model: small, learningRate: 0.01, maxBatchSize: 16, threads: 2, maxSteps: 2,
                        splitByColumns: true).splitsByColumns)
    }

    /// Profiling a split pass charges every phase, from every member of the team.
    @Test func profilingTheSplitPassRecordsEveryPhase() {
        let configuration = RecurrentConfiguration(cell: .lstm, inputSize: 6, hiddenSize: 64, outputSize: 4)
        let model = SequenceClassifier(configuration: configuration, seed: 2)
        let trainer = Trainer(model: model, learningRate: 0.01, maxBatchSize: 32, threads: 2, maxSteps: steps,
                              splitByColumns: true)
        trainer.isProfiling = true
        let data = batch(32, seed: 5, configuration: configuration)
        data.images.withUnsafeBufferPointer { images in
            data.labels.withUnsafeBufferPointer { labels in
                _ = trainer.step(images: images, labels: labels, batchSize: 32, steps: steps)
            }
        }
        let phases = trainer.phaseTimes
        for (name, seconds) in [("input projection", phases.inputProjection), ("recurrent forward", phases.recurrentForward),
                                ("activations", phases.activations), ("gate backward", phases.gateBackward),
                                ("recurrent backward", phases.recurrentBackward), ("weight gradients", phases.weightGradients),
                                ("optimiser", phases.optimiser)] {
            #expect(seconds > 0, "\(name) was not timed")
        }
    }
}
