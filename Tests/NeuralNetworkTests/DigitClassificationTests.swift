import Foundation
import Testing
@testable import NeuralNetwork

@Suite struct DigitClassificationTests {
    @Test func referenceSizesHave82186ParametersInStateDictOrder() {
        let model = DigitClassification(seed: 1)
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
        let configuration = LSTMConfiguration(inputSize: 9, hiddenSize: 25, outputSize: 4)
        let model = DigitClassification(configuration: configuration, seed: 77)
        for entry in model.namedParameters {
            let fanIn = entry.name.contains("x_t") ? 9 : 25
            let bound = 1 / Float(fanIn).squareRoot()
            #expect(entry.values.allSatisfy { abs($0) <= bound }, "\(entry.name) within ±1/√\(fanIn)")
            if entry.values.count >= 100 {
                #expect(entry.values.max()! > 0.8 * bound && entry.values.min()! < -0.8 * bound, "\(entry.name) spans its range")
            }
        }
        let again = DigitClassification(configuration: configuration, seed: 77)
        let other = DigitClassification(configuration: configuration, seed: 78)
        #expect(model.namedParameters.flatMap(\.values) == again.namedParameters.flatMap(\.values))
        #expect(model.namedParameters.flatMap(\.values) != other.namedParameters.flatMap(\.values))
    }

    @Test func moduleDescriptionReadsLikePyTorch() {
        let text = DigitClassification(seed: 1).moduleDescription()
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "DigitClassification(")
        #expect(lines.contains("      (x_t): Linear(in_features=28, out_features=128, bias=True)"))
        #expect(lines.contains("      (a_t_o): Linear(in_features=128, out_features=128, bias=True)"))
        #expect(lines.contains("  (classifier): Linear(in_features=128, out_features=10, bias=True)"))
        #expect(lines.count == 15)
    }

    @Test func setParameterRejectsUnknownNamesAndWrongCounts() {
        let model = DigitClassification(configuration: LSTMConfiguration(inputSize: 3, hiddenSize: 4, outputSize: 5), seed: 1)
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
        let configuration = LSTMConfiguration(inputSize: 4, hiddenSize: 18, outputSize: 6)
        let model = DigitClassification(configuration: configuration, seed: 6)
        var generator = SeededGenerator(seed: 2)
        // 70 images: five inference shards of 16 (the last holds 6), which two workers share
        // with threads 2; image 69 is in the partial shard.
        let count = 70, steps = 3
        #expect(DigitClassification.inferenceShardSize == 16)
        let images = (0..<count * steps * 4).map { _ in generator.nextUnitFloat() }
        let one = images.withUnsafeBufferPointer { model.predict(images: $0, count: count, threads: 1, steps: steps) }
        let two = images.withUnsafeBufferPointer { model.predict(images: $0, count: count, threads: 2, steps: steps) }
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
