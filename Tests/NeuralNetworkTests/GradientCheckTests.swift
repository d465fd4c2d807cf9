import Testing
@testable import NeuralNetwork

/// Backpropagation through time checked against central differences of an independent
/// double-precision model, on a configuration unlike the PyTorch fixture (sizes that are
/// not multiples of the SIMD width, a batch spanning two shards).
@Suite struct GradientCheckTests {
    let configuration = LSTMConfiguration(inputSize: 5, hiddenSize: 7, outputSize: 3)
    let steps = 4, batch = 19

    @Test func everyParameterGradientMatchesCentralDifferences() throws {
        let model = DigitClassification(configuration: configuration, seed: 11)
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
                let original = reference.parameters[name]![element]
                reference.parameters[name]![element] = original + h
                let plus = reference.loss(inputs: inputs, labels: labels, steps: steps)
                reference.parameters[name]![element] = original - h
                let minus = reference.loss(inputs: inputs, labels: labels, steps: steps)
                reference.parameters[name]![element] = original
                let numeric = (plus - minus) / (2 * h)
                let error = abs(Double(analytic[element]) - numeric)
                #expect(error <= 2e-6 + 1e-4 * abs(numeric), "∂L/∂\(name)[\(element)]: \(analytic[element]) vs \(numeric)")
                checked += 1
            }
        }
        #expect(checked == model.parameterCount)
    }
}
