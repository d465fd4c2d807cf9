import Foundation
@testable import NeuralNetwork
import Testing

/// PyTorch's values for the reference model with one cell (input 3, hidden 4, output 5,
/// 6 steps, batch 2), from `Fixtures/<cell>-reference.json`.
struct ReferenceFixture {
    let configuration: RecurrentConfiguration
    let steps: Int
    let batch: Int
    let learningRate: Float
    /// Parameter names in PyTorch `state_dict` order.
    let parameterNames: [String]
    let parameterShapes: [String: [Int]]
    let parameters: [String: [Float]]
    let inputs: [Float]
    let targets: [Int32]
    let hiddenStates: [Float]  // [batch, steps, hidden]
    /// The LSTM's c_t [batch, steps, hidden]; other cells have none.
    let cellStates: [Float]?
    let logits: [Float]  // [batch, output]
    let loss: Float
    let gradients: [String: [Float]]
    let parametersAfterOneStep: [String: [Float]]
    let parametersAfterThreeSteps: [String: [Float]]

    static var fixturesFolder: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    }

    static func url(of cell: RecurrentCellKind, _ extension: String) -> URL {
        fixturesFolder.appendingPathComponent("\(cell.name.lowercased())-reference.\(`extension`)")
    }

    static func load(_ cell: RecurrentCellKind) throws -> ReferenceFixture {
        let url = url(of: cell, "json")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        func floats(_ value: Any?) throws -> [Float] {
            try #require(value as? [Any]).map { Float(try #require($0 as? Double ?? ($0 as? Int).map(Double.init))) }
        }
        func tensor(_ value: Any?) throws -> [Float] {
            try floats(try #require(value as? [String: Any])["values"])
        }
        func map(_ key: String) throws -> [String: [Float]] {
            let dictionary = try #require(root[key] as? [String: Any])
            return try dictionary.mapValues { try floats($0) }
        }
        let config = try #require(root["config"] as? [String: Any])
        // The LSTM fixture predates the field; the others name their cell.
        #expect((config["cell"] as? String ?? "lstm") == cell.name.lowercased())
        let parameterObjects = try #require(root["parameters"] as? [String: Any])
        // JSONSerialization does not keep key order: take the order from the raw text.
        let text = try String(contentsOf: url, encoding: .utf8)
        let names = parameterObjects.keys.sorted {
            text.range(of: "\"\($0)\"")!.lowerBound < text.range(of: "\"\($1)\"")!.lowerBound
        }
        var shapes: [String: [Int]] = [:]
        var values: [String: [Float]] = [:]
        for name in names {
            let entry = try #require(parameterObjects[name] as? [String: Any])
            shapes[name] = try #require(entry["shape"] as? [Int])
            values[name] = try floats(entry["values"])
        }
        return ReferenceFixture(
            configuration: RecurrentConfiguration(
                cell: cell,
                inputSize: try #require(config["input_size"] as? Int),
                hiddenSize: try #require(config["hidden_size"] as? Int),
                outputSize: try #require(config["output_size"] as? Int)),
            steps: try #require(config["seq_len"] as? Int),
            batch: try #require(config["batch"] as? Int),
            learningRate: Float(try #require(config["lr"] as? Double)),
            parameterNames: names,
            parameterShapes: shapes,
            parameters: values,
            inputs: try tensor(root["x"]),
            targets: try #require(root["targets"] as? [Int]).map(Int32.init),
            hiddenStates: try tensor(root["hidden_states"]),
            cellStates: root["cell_states"] == nil ? nil : try tensor(root["cell_states"]),
            logits: try tensor(root["logits"]),
            loss: Float(try #require(root["loss"] as? Double)),
            gradients: try map("gradients"),
            parametersAfterOneStep: try map("parameters_after_1_adam_step"),
            parametersAfterThreeSteps: try map("parameters_after_3_adam_steps"))
    }

    /// A model holding the fixture's parameters.
    func makeModel() throws -> SequenceClassifier {
        let model = SequenceClassifier(configuration: configuration, seed: 0)
        for name in parameterNames {
            try model.setParameter(named: name, values: parameters[name]!)
        }
        return model
    }
}

/// Largest absolute difference, with a readable failure context.
func maxAbsoluteDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "length \(a.count) vs \(b.count)")
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
