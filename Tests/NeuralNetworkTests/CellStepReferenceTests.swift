import Testing
@testable import NeuralNetwork

/// The fast cell steps (16-lane blocks, packed products) against the plain double-precision
/// step of `DoubleReferenceModel`, at hidden 37: two full 16-unit blocks and a partial one
/// of 5, and a ragged second 32-column panel, so both the full-block and the partial-block
/// path of every equation are compared. (The gradient checks of `GradientCheckTests` run at
/// hidden 7, below one block.)
@Suite struct CellStepReferenceTests {
    static let cells = [RecurrentCellKind.lstm, .gru, .rnn]
    let steps = 3, batch = 4

    func data(_ configuration: RecurrentConfiguration) -> (inputs: [Float], labels: [Int32]) {
        var generator = SeededGenerator(seed: 31)
        let inputs = (0..<batch * steps * configuration.inputSize).map { _ in generator.nextFloat(symmetricBound: 2) }
        let labels = (0..<batch).map { _ in Int32(generator.next() % UInt64(configuration.outputSize)) }
        return (inputs, labels)
    }

    /// Float against double through 3 steps of 42-term sums and float tanh/σ (relative error
    /// about 4e-7): the states differ by about 1e-7, so 1e-5 leaves room and still catches
    /// any wrong lane or gate.
    @Test(arguments: cells)
    func everyStepsStatesMatchThePlainStepWithin1e5(cell: RecurrentCellKind) {
        let configuration = RecurrentConfiguration(cell: cell, inputSize: 5, hiddenSize: 37, outputSize: 3)
        let hidden = configuration.hiddenSize
        let model = SequenceClassifier(configuration: configuration, seed: 8)
        let inputs = data(configuration).inputs
        let workspace = SequenceWorkspace(configuration: configuration, maxBatch: batch, maxSteps: steps)
        inputs.withUnsafeBufferPointer { inputs in
            workspace.forward(sequences: inputs.baseAddress!, batch: batch, steps: steps, weights: model.weights)
        }
        let reference = DoubleReferenceModel(model)
        var worst = 0.0
        for sequence in 0..<batch {
            for (step, (a, c)) in reference.states(of: sequence, inputs: inputs, steps: steps).enumerated() {
                let ours = workspace.hiddenState(afterStep: step)[(sequence * hidden)..<((sequence + 1) * hidden)]
                worst = max(worst, zip(ours, a).map { abs(Double($0) - $1) }.max()!)
                if let lstm = workspace.cell as? LSTMCell {
                    let cells = lstm.cellState(afterStep: step, batch: batch)[(sequence * hidden)..<((sequence + 1) * hidden)]
                    worst = max(worst, zip(cells, c).map { abs(Double($0) - $1) }.max()!)
                }
            }
        }
        #expect(worst <= 1e-5, "largest state difference \(worst)")
    }

    /// The backward pass at the same size against central differences of the plain model,
    /// on every 13th element of every tensor (all units of a block are covered across the
    /// gates and steps of the elements chosen); tolerance as in `GradientCheckTests`.
    @Test(arguments: cells)
    func gradientsMatchCentralDifferencesOfThePlainStep(cell: RecurrentCellKind) {
        let configuration = RecurrentConfiguration(cell: cell, inputSize: 5, hiddenSize: 37, outputSize: 3)
        let model = SequenceClassifier(configuration: configuration, seed: 9)
        let (inputs, labels) = data(configuration)
        let trainer = Trainer(model: model, learningRate: 0, maxBatchSize: batch, threads: 1, maxSteps: steps)
        _ = inputs.withUnsafeBufferPointer { inputs in
            labels.withUnsafeBufferPointer { labels in
                trainer.computeGradients(images: inputs, labels: labels, batchSize: batch, steps: steps)
            }
        }
        var reference = DoubleReferenceModel(model)
        let h = 1e-4, layout = model.weights.layout
        var checked = 0
        for tensor in layout.tensors {
            let name = layout.name(of: tensor)
            let analytic = layout.values(of: tensor, in: trainer.gradients)
            for element in stride(from: 0, to: analytic.count, by: 13) {
                let numeric = reference.centralDifference(name, element: element, h: h, inputs: inputs, labels: labels, steps: steps)
                #expect(abs(Double(analytic[element]) - numeric) <= 2e-6 + 1e-4 * abs(numeric),
                        "∂L/∂\(name)[\(element)]: \(analytic[element]) vs \(numeric)")
                checked += 1
            }
        }
        #expect(checked >= 100)
    }
}
