import Foundation
@testable import NeuralNetwork
import Testing

@Suite struct SequenceClassifierTests {
    @Test func referenceSizesHave82186ParametersInStateDictOrder() {
        let model = SequenceClassifier(configuration: RecurrentConfiguration(cell: .lstm, inputSize: 28, hiddenSize: 128, outputSize: 10), seed: 1)
        #expect(model.parameterCount == 82_186)
        let named = model.namedParameters
        #expect(named.count == 18)
        #expect(named.first?.name == "LSTM.LSTMCell.x_t.weight" && named.first?.shape == [128, 28])
        #expect(named[2].name == "LSTM.LSTMCell.a_t.weight" && named[2].shape == [128, 128])
        #expect(named[5].name == "LSTM.LSTMCell.x_t_u.bias" && named[5].shape == [128])
        #expect(named[16].name == "classifier.weight" && named[16].shape == [10, 128])
        #expect(named.map { $0.values.count }.reduce(0, +) == 82_186)
    }

    @Test func initialisationFollowsNNLinearBoundsAndIsSeeded() {
        let configuration = RecurrentConfiguration(cell: .lstm, inputSize: 9, hiddenSize: 25, outputSize: 4)
        let model = SequenceClassifier(configuration: configuration, seed: 77)
        for entry in model.namedParameters {
            let fanIn = entry.name.contains("x_t") ? 9 : 25
            let bound = 1 / Float(fanIn).squareRoot()
            #expect(entry.values.allSatisfy { abs($0) <= bound }, "\(entry.name) within ±1/√\(fanIn)")
            if entry.values.count >= 100 {
                #expect(entry.values.max()! > 0.8 * bound && entry.values.min()! < -0.8 * bound, "\(entry.name) spans its range")
            }
        }
        let again = SequenceClassifier(configuration: configuration, seed: 77)
        let other = SequenceClassifier(configuration: configuration, seed: 78)
        #expect(model.namedParameters.flatMap(\.values) == again.namedParameters.flatMap(\.values))
        #expect(model.namedParameters.flatMap(\.values) != other.namedParameters.flatMap(\.values))
    }

    @Test func moduleDescriptionReadsLikePyTorch() {
        let text = SequenceClassifier(configuration: RecurrentConfiguration(cell: .lstm, inputSize: 28, hiddenSize: 128, outputSize: 10), seed: 1).moduleDescription()
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "DigitClassification(")
        #expect(lines.contains("      (x_t): Linear(in_features=28, out_features=128, bias=True)"))
        #expect(lines.contains("      (a_t_o): Linear(in_features=128, out_features=128, bias=True)"))
        #expect(lines.contains("  (classifier): Linear(in_features=128, out_features=10, bias=True)"))
        #expect(lines.count == 15)
    }

    @Test func setParameterRejectsUnknownNamesAndWrongCounts() {
        let model = SequenceClassifier(configuration: RecurrentConfiguration(cell: .lstm, inputSize: 3, hiddenSize: 4, outputSize: 5), seed: 1)
        #expect(throws: ModelError.unknownParameter("LSTM.cell.weight")) {
            try model.setParameter(named: "LSTM.cell.weight", values: [])
        }
        #expect(throws: ModelError.wrongValueCount(parameter: "classifier.bias", expected: 5, found: 4)) {
            try model.setParameter(named: "classifier.bias", values: [1, 2, 3, 4])
        }
        #expect(ModelError.wrongValueCount(parameter: "classifier.bias", expected: 5, found: 4).description
            == "parameter 'classifier.bias' needs 5 values, got 4")
    }

    @Test func predictionsAgreeAcrossThreadCountsAndWithTheReference() throws {
        let configuration = RecurrentConfiguration(cell: .lstm, inputSize: 4, hiddenSize: 18, outputSize: 6)
        let model = SequenceClassifier(configuration: configuration, seed: 6)
        var generator = SeededGenerator(seed: 2)
        // 70 images: five inference shards of 16 (the last holds 6), which two workers share
        // with threads 2; image 69 is in the partial shard.
        let count = 70, steps = 3
        #expect(SequenceClassifier.inferenceShardSize == 16)
        let images = (0..<count * steps * 4).map { _ in generator.nextUnitFloat() }
        let one = images.withUnsafeBufferPointer { model.predict(sequences: $0, count: count, steps: steps, threads: 1) }
        let two = images.withUnsafeBufferPointer { model.predict(sequences: $0, count: count, steps: steps, threads: 2) }
        #expect(one.logits == two.logits && one.predictions == two.predictions)
        #expect(one.logits.count == count * 6)

        // Image 69 alone through the double-precision model: its logits decide its class.
        let reference = DoubleReferenceModel(model)
        for index in [0, 69] {
            let image = Array(images[(index * steps * 4)..<((index + 1) * steps * 4)])
            let row = Array(one.logits[(index * 6)..<((index + 1) * 6)])
            #expect(one.predictions[index] == row.indices.max { row[$0] < row[$1] })
            for label in 0..<6 {
                // loss for label y is logSumExp − logit_y, so differences of losses are differences of logits
                let lossGap = reference.loss(inputs: image, labels: [Int32(label)], steps: steps)
                    - reference.loss(inputs: image, labels: [0], steps: steps)
                #expect(abs(Double(row[0] - row[label]) - lossGap) <= 1e-5)
            }
        }
    }
}

/// What the GRU and the plain RNN add: their PyTorch names, their module trees, the cell
/// found from a checkpoint's names, and the LSTM's forget-gate initialisation.
@Suite struct RecurrentCellTests {
    @Test func gruAndRNNHaveThePyTorchNamesInStateDictOrder() {
        let gru = SequenceClassifier(configuration: RecurrentConfiguration(cell: .gru, inputSize: 28, hiddenSize: 128, outputSize: 10), seed: 1)
        #expect(gru.namedParameters.map(\.name) == [
            "GRU.GRUCell.x_t.weight", "GRU.GRUCell.x_t.bias", "GRU.GRUCell.a_t.weight", "GRU.GRUCell.a_t.bias",
            "GRU.GRUCell.x_t_r.weight", "GRU.GRUCell.x_t_r.bias", "GRU.GRUCell.a_t_r.weight", "GRU.GRUCell.a_t_r.bias",
            "GRU.GRUCell.x_t_u.weight", "GRU.GRUCell.x_t_u.bias", "GRU.GRUCell.a_t_u.weight", "GRU.GRUCell.a_t_u.bias",
            "classifier.weight", "classifier.bias",
        ])
        // 3·(28·128 + 128 + 128·128 + 128) + 128·10 + 10
        #expect(gru.parameterCount == 61_962)
        let rnn = SequenceClassifier(configuration: RecurrentConfiguration(cell: .rnn, inputSize: 28, hiddenSize: 128, outputSize: 10), seed: 1)
        #expect(rnn.namedParameters.map(\.name) == [
            "RNN.RNNCell.x_t.weight", "RNN.RNNCell.x_t.bias", "RNN.RNNCell.a_t.weight", "RNN.RNNCell.a_t.bias",
            "classifier.weight", "classifier.bias",
        ])
        #expect(rnn.parameterCount == 21_514)
        let lines = gru.moduleDescription().split(separator: "\n").map(String.init)
        #expect(lines[1] == "  (GRU): GRU(" && lines[2] == "    (GRUCell): GRUCell(")
        #expect(lines.contains("      (a_t_r): Linear(in_features=128, out_features=128, bias=True)"))
        #expect(lines.count == 13)
    }

    @Test(arguments: [RecurrentCellKind.lstm, .gru, .rnn])
    func aCheckpointBringsBackItsCell(cell: RecurrentCellKind) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nn-cell-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.safetensors")
        let model = SequenceClassifier(configuration: RecurrentConfiguration(cell: cell, inputSize: 3, hiddenSize: 5, outputSize: 2), seed: 9)
        try model.saveSafetensors(to: url)
        let loaded = try SequenceClassifier.loadSafetensors(from: url)
        #expect(loaded.configuration == model.configuration)
        #expect(loaded.namedParameters.map(\.values) == model.namedParameters.map(\.values))
    }

    @Test func aCheckpointOfNoKnownCellNamesWhatWasExpected() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nn-cell-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("other.safetensors")
        try SafetensorsFile(tensors: [.init(name: "Transformer.weight", shape: [1], values: [0])], metadata: [:]).write(to: url)
        #expect(throws: SafetensorsError.missingTensor(
            path: url.path, tensor: "LSTM.LSTMCell.x_t.weight or GRU.GRUCell.x_t.weight or RNN.RNNCell.x_t.weight")) {
            _ = try SequenceClassifier.loadSafetensors(from: url)
        }
    }

    @Test func forgetGateBiasStartsTheGateOpen() throws {
        let model = SequenceClassifier(configuration: RecurrentConfiguration(cell: .lstm, inputSize: 3, hiddenSize: 5, outputSize: 2), seed: 1)
        let before = model.namedParameters
        try model.setGateBias("_f", to: 1)
        let after = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.values) })
        #expect(after["LSTM.LSTMCell.x_t_f.bias"] == [1, 1, 1, 1, 1])
        #expect(after["LSTM.LSTMCell.a_t_f.bias"] == [0, 0, 0, 0, 0])
        for entry in before where !entry.name.contains("_f.bias") {
            #expect(after[entry.name] == entry.values, "\(entry.name) must not change")
        }
        // The fused bias the forward pass adds is their sum.
        let forgetBlock = 2 * 5
        #expect((0..<5).allSatisfy { model.weights.fusedGateBias[forgetBlock + $0] == 1 })
        #expect(throws: ModelError.unknownGate(cell: "GRU", suffix: "_f")) {
            try SequenceClassifier(configuration: RecurrentConfiguration(cell: .gru, inputSize: 3, hiddenSize: 5, outputSize: 2), seed: 1)
                .setGateBias("_f", to: 1)
        }
        #expect(ModelError.unknownGate(cell: "GRU", suffix: "_f").description == "the GRU cell has no gate 'x_t_f'")
    }
}
