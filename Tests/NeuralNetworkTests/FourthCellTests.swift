import Foundation
@testable import NeuralNetwork
import Testing

/// A cell written outside NeuralNetwork, touching none of the three cells: a ReLU RNN,
/// a_t = max(0, x_t(x) + a_t(a_{t−1})). That it trains, checkpoints under its own names and
/// has the right gradients shows the `RecurrentCell` extension point is enough on its own.
final class ReLURNNCell: RecurrentCell {
    static let moduleName = "ReLURNN"
    static let gates = [RecurrentGate(suffix: "", block: 0)]

    init(hiddenSize: Int, maxBatch: Int, maxSteps: Int, supportsBackward: Bool) {}

    func forward(_ step: RecurrentStep, weights: RecurrentWeights, clock: PhaseClock) {
        let n = step.batch, hidden = step.hiddenSize
        if step.index > 0 {
            MatrixProduct.multiply(
                m: n, n: hidden, k: hidden, a: step.previousHidden, aRowStride: hidden, aColumnStride: 1,
                b: weights.transposedRecurrentWeights, bRowStride: hidden, c: step.gates, cRowStride: hidden,
                accumulate: true)
        }
        for index in 0..<n * hidden {
            step.gates[index] = max(0, step.gates[index])
            step.hidden[index] = step.gates[index]
        }
    }

    func backward(_ step: RecurrentStep, weights: RecurrentWeights, clock: PhaseClock) {
        let n = step.batch, hidden = step.hiddenSize
        for index in 0..<n * hidden {
            step.gateGradients[index] = step.gates[index] > 0 ? step.hiddenGradient[index] : 0
        }
        if step.index > 0 {
            MatrixProduct.multiply(
                m: n, a: step.gateGradients, aRowStride: hidden, aColumnStride: 1,
                packed: weights.packedRecurrentWeights, rows: 0..<hidden, blocks: 0..<1,
                c: step.hiddenGradient, cRowStride: hidden, accumulate: false)
        }
    }
}

@Suite struct FourthCellTests {
    let configuration = RecurrentConfiguration(
        cell: RecurrentCellKind(ReLURNNCell.self), inputSize: 3, hiddenSize: 5, outputSize: 4)

    @Test func aCellFromOutsideTrainsUnderItsOwnNames() throws {
        let model = SequenceClassifier(configuration: configuration, seed: 3)
        #expect(model.namedParameters.map(\.name) == [
            "ReLURNN.ReLURNNCell.x_t.weight", "ReLURNN.ReLURNNCell.x_t.bias",
            "ReLURNN.ReLURNNCell.a_t.weight", "ReLURNN.ReLURNNCell.a_t.bias", "classifier.weight", "classifier.bias",
        ])
        #expect(model.moduleDescription().contains("  (ReLURNN): ReLURNN("))
    }

    @Test func itsGradientsMatchCentralDifferencesOfItsOwnForwardPass() throws {
        let model = SequenceClassifier(configuration: configuration, seed: 4)
        let steps = 4, batch = 6
        var generator = SeededGenerator(seed: 5)
        let inputs = (0..<batch * steps * 3).map { _ in generator.nextFloat(symmetricBound: 1) }
        let labels = (0..<batch).map { Int32($0 % 4) }
        let trainer = Trainer(model: model, learningRate: 0, maxBatchSize: batch, threads: 1, maxSteps: steps)
        func loss() -> Double {
            inputs.withUnsafeBufferPointer { x in
                labels.withUnsafeBufferPointer { Double(trainer.computeGradients(images: x, labels: $0, batchSize: batch, steps: steps)) }
            }
        }
        _ = loss()
        let analytic = Array(trainer.gradients)
        // Float central differences with h = 1e-3: the loss (about 1.4) rounds at ~1e-7, so the
        // quotient is good to ~1e-4; a smaller h would drown in rounding, a larger one would
        // step over the ReLU's kinks, where a difference quotient means nothing.
        let h: Float = 1e-3
        for index in 0..<model.parameterCount {
            let original = model.weights.parameters[index]
            model.weights.parameters[index] = original + h
            model.weights.refreshDerived()
            let plus = loss()
            model.weights.parameters[index] = original - h
            model.weights.refreshDerived()
            let minus = loss()
            model.weights.parameters[index] = original
            model.weights.refreshDerived()
            let numeric = (plus - minus) / Double(2 * h)
            #expect(abs(Double(analytic[index]) - numeric) <= 5e-4, "parameter \(index): \(analytic[index]) vs \(numeric)")
        }
    }
}
