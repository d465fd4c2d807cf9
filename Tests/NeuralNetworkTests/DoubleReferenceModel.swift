import Foundation
@testable import NeuralNetwork

/// A naive double-precision transcription of the reference model, written from its
/// equations and PyTorch's parameter names only (no shared code with the fast path), used
/// as an independent oracle for gradients by central differences.
struct DoubleReferenceModel {
    let configuration: LSTMConfiguration
    var parameters: [String: [Double]]

    init(_ model: DigitClassification) {
        configuration = model.configuration
        parameters = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.values.map(Double.init)) })
    }

    /// y = x·Wᵀ + b for a Linear named `name` with weight [out, in].
    func linear(_ name: String, _ x: [Double]) -> [Double] {
        let weight = parameters["\(name).weight"]!, bias = parameters["\(name).bias"]!
        let inFeatures = x.count
        return bias.indices.map { row in
            var sum = bias[row]
            for column in 0..<inFeatures { sum += weight[row * inFeatures + column] * x[column] }
            return sum
        }
    }

    func sigmoid(_ v: [Double]) -> [Double] { v.map { 1 / (1 + Foundation.exp(-$0)) } }

    /// Mean cross-entropy of a batch (inputs [batch, steps, I], batch-first).
    func loss(inputs: [Float], labels: [Int32], steps: Int) -> Double {
        let input = configuration.inputSize, hidden = configuration.hiddenSize
        let batch = labels.count
        var total = 0.0
        for sequence in 0..<batch {
            var a = [Double](repeating: 0, count: hidden), c = a
            for step in 0..<steps {
                let start = (sequence * steps + step) * input
                let x = inputs[start..<start + input].map(Double.init)
                func gate(_ suffix: String) -> [Double] {
                    zip(linear("LSTM.LSTMCell.x_t\(suffix)", x), linear("LSTM.LSTMCell.a_t\(suffix)", a)).map(+)
                }
                let candidate = gate("").map { Foundation.tanh($0) }
                let update = sigmoid(gate("_u")), forget = sigmoid(gate("_f")), output = sigmoid(gate("_o"))
                c = (0..<hidden).map { update[$0] * candidate[$0] + forget[$0] * c[$0] }
                a = (0..<hidden).map { output[$0] * Foundation.tanh(c[$0]) }
            }
            let logits = linear("classifier", a)
            let maximum = logits.max()!
            let logSum = maximum + Foundation.log(logits.map { Foundation.exp($0 - maximum) }.reduce(0, +))
            total += logSum - logits[Int(labels[sequence])]
        }
        return total / Double(batch)
    }
}
