@testable import NeuralNetwork
import Testing

/// Backpropagation through time checked against central differences of an independent
/// double-precision model, on a configuration unlike the PyTorch fixture (sizes that are
/// not multiples of the SIMD width, a batch spanning two shards).
@Suite struct GradientCheckTests {
    let steps = 4, batch = 19

    @Test(arguments: [RecurrentCellKind.lstm, .gru, .rnn])
    func everyParameterGradientMatchesCentralDifferences(cell: RecurrentCellKind) throws {
        let configuration = RecurrentConfiguration(cell: cell, inputSize: 5, hiddenSize: 7, outputSize: 3)
        let model = SequenceClassifier(configuration: configuration, seed: 11)
        var generator = SeededGenerator(seed: 12)
        let inputs = (0..<batch * steps * configuration.inputSize).map { _ in generator.nextFloat(symmetricBound: 2) }
        let labels = (0..<batch).map { _ in Int32(generator.next() % UInt64(configuration.outputSize)) }

        let trainer = Trainer(model: model, learningRate: 0, maxBatchSize: batch, threads: 1, maxSteps: steps)
        let loss = inputs.withUnsafeBufferPointer { inputs in
            labels.withUnsafeBufferPointer { labels in
                trainer.computeGradients(images: inputs, labels: labels, batchSize: batch, steps: steps)
            }
        }
        var reference = DoubleReferenceModel(model)
        let referenceLoss = reference.loss(inputs: inputs, labels: labels, steps: steps)
        #expect(abs(Double(loss) - referenceLoss) <= 1e-5)

        // h = 1e-4 in double: truncation error ~h²·|f'''| ≈ 1e-8, rounding ~1e-16/h ≈ 1e-12,
        // so the difference quotient is exact to ~1e-8 and the tolerance below measures only
        // our float gradient (float rounding through 4 steps and 19 samples: ~1e-6).
        let h = 1e-4
        let layout = model.weights.layout
        var checked = 0
        for tensor in layout.tensors {
            let name = layout.name(of: tensor)
            let analytic = layout.values(of: tensor, in: trainer.gradients)
            for element in analytic.indices {
                let numeric = reference.centralDifference(name, element: element, h: h, inputs: inputs, labels: labels, steps: steps)
                let error = abs(Double(analytic[element]) - numeric)
                #expect(error <= 2e-6 + 1e-4 * abs(numeric), "∂L/∂\(name)[\(element)]: \(analytic[element]) vs \(numeric)")
                checked += 1
            }
        }
        #expect(checked == model.parameterCount)
    }
}

/// ∂L/∂x_t, which the notebook plots to show gradients vanishing, against central differences.
@Suite struct InputGradientTests {
    @Test(arguments: [RecurrentCellKind.lstm, .gru, .rnn])
    func inputGradientsMatchCentralDifferences(cell: RecurrentCellKind) throws {
        let configuration = RecurrentConfiguration(cell: cell, inputSize: 3, hiddenSize: 6, outputSize: 4)
        let steps = 5, batch = 3
        let model = SequenceClassifier(configuration: configuration, seed: 31)
        var generator = SeededGenerator(seed: 32)
        var inputs = (0..<batch * steps * 3).map { _ in generator.nextFloat(symmetricBound: 1) }
        let labels: [Int32] = [0, 3, 1]

        let workspace = SequenceWorkspace(configuration: configuration, maxBatch: batch, maxSteps: steps)
        let gradients = [Float](repeating: 0, count: model.parameterCount)
        inputs.withUnsafeBufferPointer { workspace.forward(sequences: $0.baseAddress!, batch: batch, steps: steps, weights: model.weights) }
        labels.withUnsafeBufferPointer {
            _ = SoftmaxCrossEntropy.lossSum(logits: workspace.logits, labels: $0.baseAddress!, count: batch, classes: 4,
                                            gradientScale: 1 / Float(batch), gradient: workspace.logitGradients)
        }
        gradients.withUnsafeBufferPointer { workspace.backward(weights: model.weights, gradients: UnsafeMutablePointer(mutating: $0.baseAddress!)) }
        let analytic = workspace.inputGradients(weights: model.weights)

        let reference = DoubleReferenceModel(model)
        for index in inputs.indices {
            let original = inputs[index]
            // The inputs are floats: divide by the step actually taken, not the nominal 2h.
            let up = original + 1e-3, down = original - 1e-3
            inputs[index] = up
            let plus = reference.loss(inputs: inputs, labels: labels, steps: steps)
            inputs[index] = down
            let minus = reference.loss(inputs: inputs, labels: labels, steps: steps)
            inputs[index] = original
            let numeric = (plus - minus) / (Double(up) - Double(down))
            #expect(abs(Double(analytic[index]) - numeric) <= 1e-5 + 1e-3 * abs(numeric), "∂L/∂x[\(index)]")
        }

        // The per-step norms are of each sequence's own loss: batch × the mean-loss gradient.
        let norms = inputs.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { model.inputGradientNorms(sequences: x, labels: $0, count: batch, steps: steps) }
        }
        for step in 0..<steps {
            var expected = 0.0
            for sequence in 0..<batch {
                let start = (sequence * steps + step) * 3
                expected += analytic[start..<start + 3].map { Double($0) * Double(batch) }.map { $0 * $0 }.reduce(0, +).squareRoot()
            }
            #expect(abs(norms[step] - expected / Double(batch)) <= 1e-6 * max(1, expected))
        }
    }
}
