import Foundation
@testable import NeuralNetwork

/// A naive double-precision transcription of the reference models, written from their
/// equations and PyTorch's parameter names only (no shared code with the fast path), used
/// as an independent oracle for gradients by central differences.
struct DoubleReferenceModel {
    let configuration: RecurrentConfiguration
    var parameters: [String: [Double]]

    init(_ model: SequenceClassifier) {
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

    /// One step of the cell from (a, c) on input x; c is the LSTM's cell state (unused otherwise).
    func step(_ x: [Double], _ a: [Double], _ c: [Double]) -> (a: [Double], c: [Double]) {
        let hidden = configuration.hiddenSize
        let module = configuration.cell.name
        let cell = "\(module).\(module)Cell"
        func sum(_ suffix: String, recurrentInput: [Double]) -> [Double] {
            zip(linear("\(cell).x_t\(suffix)", x), linear("\(cell).a_t\(suffix)", recurrentInput)).map(+)
        }
        switch configuration.cell {
        case .lstm:
            let candidate = sum("", recurrentInput: a).map { Foundation.tanh($0) }
            let update = sigmoid(sum("_u", recurrentInput: a)), forget = sigmoid(sum("_f", recurrentInput: a))
            let output = sigmoid(sum("_o", recurrentInput: a))
            let newC = (0..<hidden).map { update[$0] * candidate[$0] + forget[$0] * c[$0] }
            return ((0..<hidden).map { output[$0] * Foundation.tanh(newC[$0]) }, newC)
        case .gru:
            let reset = sigmoid(sum("_r", recurrentInput: a)), update = sigmoid(sum("_u", recurrentInput: a))
            let candidate = sum("", recurrentInput: (0..<hidden).map { reset[$0] * a[$0] }).map { Foundation.tanh($0) }
            return ((0..<hidden).map { update[$0] * candidate[$0] + (1 - update[$0]) * a[$0] }, c)
        case .rnn:
            return (sum("", recurrentInput: a).map { Foundation.tanh($0) }, c)
        default:
            fatalError("no double-precision reference for \(configuration.cell)")
        }
    }

    /// Mean cross-entropy of a batch (inputs [batch, steps, I], batch-first).
    func loss(inputs: [Float], labels: [Int32], steps: Int) -> Double {
        let batch = labels.count
        var total = 0.0
        for sequence in 0..<batch {
            let logits = linear("classifier", states(of: sequence, inputs: inputs, steps: steps).last!.a)
            let maximum = logits.max()!
            let logSum = maximum + Foundation.log(logits.map { Foundation.exp($0 - maximum) }.reduce(0, +))
            total += logSum - logits[Int(labels[sequence])]
        }
        return total / Double(batch)
    }

    /// The states (a_t, c_t) after each step of one sequence of `inputs` ([batch, steps, I],
    /// batch-first), from zero states.
    func states(of sequence: Int, inputs: [Float], steps: Int) -> [(a: [Double], c: [Double])] {
        let input = configuration.inputSize
        var state = (a: [Double](repeating: 0, count: configuration.hiddenSize), c: [Double](repeating: 0, count: configuration.hiddenSize))
        return (0..<steps).map { step in
            let start = (sequence * steps + step) * input
            state = self.step(inputs[start..<start + input].map(Double.init), state.a, state.c)
            return state
        }
    }

    /// ∂L/∂`name`[`element`] by central differences of ``loss(inputs:labels:steps:)`` with step `h`.
    mutating func centralDifference(_ name: String, element: Int, h: Double, inputs: [Float], labels: [Int32], steps: Int) -> Double {
        let original = parameters[name]![element]
        defer { parameters[name]![element] = original }
        parameters[name]![element] = original + h
        let plus = loss(inputs: inputs, labels: labels, steps: steps)
        parameters[name]![element] = original - h
        let minus = loss(inputs: inputs, labels: labels, steps: steps)
        return (plus - minus) / (2 * h)
    }
}
