import Foundation
@testable import NeuralNetwork
import Testing

/// Agreement with PyTorch on the reference model, number for number, for every cell: the
/// fixtures were written by the from-scratch PyTorch classes (`Fixtures/*-reference.json`).
@Suite struct ReferenceFixtureTests {
    static let cells: [RecurrentCellKind] = [.lstm, .gru, .rnn]

    @Test(arguments: cells)
    func parameterNamesShapesAndOrderMatchPyTorch(cell: RecurrentCellKind) throws {
        let fixture = try ReferenceFixture.load(cell)
        let model = try fixture.makeModel()
        let named = model.namedParameters
        #expect(named.map(\.name) == fixture.parameterNames)
        for entry in named {
            #expect(entry.shape == fixture.parameterShapes[entry.name], "\(entry.name)")
            #expect(entry.values == fixture.parameters[entry.name], "\(entry.name) must round-trip exactly")
        }
    }

    @Test(arguments: cells)
    func forwardStatesAndLogitsMatchWithin1e5(cell: RecurrentCellKind) throws {
        let fixture = try ReferenceFixture.load(cell)
        let model = try fixture.makeModel()
        let workspace = SequenceWorkspace(configuration: fixture.configuration, maxBatch: fixture.batch, maxSteps: fixture.steps)
        fixture.inputs.withUnsafeBufferPointer { inputs in
            workspace.forward(sequences: inputs.baseAddress!, batch: fixture.batch, steps: fixture.steps, weights: model.weights)
        }
        let hidden = fixture.configuration.hiddenSize
        var ourHidden = [Float](repeating: 0, count: fixture.hiddenStates.count)
        var ourCells = ourHidden
        // Fixture layout [batch, steps, hidden]; ours per step [batch, hidden].
        for step in 0..<fixture.steps {
            let a = workspace.hiddenState(afterStep: step)
            let c = (workspace.cell as? LSTMCell)?.cellState(afterStep: step, batch: fixture.batch) ?? a
            for sequence in 0..<fixture.batch {
                for unit in 0..<hidden {
                    ourHidden[(sequence * fixture.steps + step) * hidden + unit] = a[sequence * hidden + unit]
                    ourCells[(sequence * fixture.steps + step) * hidden + unit] = c[sequence * hidden + unit]
                }
            }
        }
        #expect(maxAbsoluteDifference(ourHidden, fixture.hiddenStates) <= 1e-5)
        if let cellStates = fixture.cellStates {
            #expect(maxAbsoluteDifference(ourCells, cellStates) <= 1e-5)
        }
        let logits = Array(UnsafeBufferPointer(start: workspace.logits, count: fixture.logits.count))
        #expect(maxAbsoluteDifference(logits, fixture.logits) <= 1e-5)
    }

    @Test(arguments: cells)
    func lossAndEveryGradientMatchWithin1e5(cell: RecurrentCellKind) throws {
        let fixture = try ReferenceFixture.load(cell)
        let model = try fixture.makeModel()
        let trainer = Trainer(model: model, learningRate: fixture.learningRate, maxBatchSize: fixture.batch,
                              threads: 1, maxSteps: fixture.steps)
        let loss = fixture.inputs.withUnsafeBufferPointer { inputs in
            fixture.targets.withUnsafeBufferPointer { labels in
                trainer.computeGradients(images: inputs, labels: labels, batchSize: fixture.batch, steps: fixture.steps)
            }
        }
        #expect(abs(loss - fixture.loss) <= 1e-5)
        let layout = model.weights.layout
        for tensor in layout.tensors {
            let name = layout.name(of: tensor)
            let ours = layout.values(of: tensor, in: trainer.gradients)
            let difference = maxAbsoluteDifference(ours, try #require(fixture.gradients[name]))
            #expect(difference <= 1e-5, "gradient of \(name) differs by \(difference)")
        }
    }

    @Test(arguments: cells, [1, 3])
    func adamStepsMatchWithin1e6(cell: RecurrentCellKind, steps: Int) throws {
        let fixture = try ReferenceFixture.load(cell)
        let model = try fixture.makeModel()
        let trainer = Trainer(model: model, learningRate: fixture.learningRate, maxBatchSize: fixture.batch,
                              threads: 1, maxSteps: fixture.steps)
        fixture.inputs.withUnsafeBufferPointer { inputs in
            fixture.targets.withUnsafeBufferPointer { labels in
                for _ in 0..<steps {
                    _ = trainer.step(images: inputs, labels: labels, batchSize: fixture.batch, steps: fixture.steps)
                }
            }
        }
        #expect(trainer.stepCount == steps)
        let expected = steps == 1 ? fixture.parametersAfterOneStep : fixture.parametersAfterThreeSteps
        for entry in model.namedParameters {
            let difference = maxAbsoluteDifference(entry.values, try #require(expected[entry.name]))
            #expect(difference <= 1e-6, "\(entry.name) after \(steps) Adam steps differs by \(difference)")
        }
    }

    @Test(arguments: cells)
    func readsTheSafetensorsWrittenByPyTorch(cell: RecurrentCellKind) throws {
        let fixture = try ReferenceFixture.load(cell)
        let url = ReferenceFixture.url(of: cell, "safetensors")
        let file = try SafetensorsFile(contentsOf: url)
        // Only the LSTM fixture was saved with `metadata={"format": "pt"}`.
        #expect(file.metadata["format"] == (cell == .lstm ? "pt" : nil))
        #expect(Set(file.tensors.map(\.name)) == Set(fixture.parameterNames))
        let model = try SequenceClassifier.loadSafetensors(from: url)
        #expect(model.configuration == fixture.configuration)
        let raw = try Self.rawTensors(url)
        for entry in model.namedParameters {
            let bits = try #require(raw[entry.name])
            #expect(entry.values.map(\.bitPattern) == bits, "\(entry.name) must equal the file's bytes bit for bit")
            // The JSON prints 9 to 10 significant digits: the same numbers, rounded.
            let json = try #require(fixture.parameters[entry.name])
            #expect(zip(entry.values, json).allSatisfy { abs($0 - $1) <= 1e-7 * max(1, abs($1)) }, "\(entry.name)")
        }
    }

    /// The file's tensors decoded without `SafetensorsFile`: an 8-byte little-endian header
    /// length, a JSON header of dtype/shape/offsets, then little-endian F32 data.
    static func rawTensors(_ url: URL) throws -> [String: [UInt32]] {
        let bytes = [UInt8](try Data(contentsOf: url))
        let headerLength = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        let header = try #require(try JSONSerialization.jsonObject(with: Data(bytes[8..<8 + headerLength])) as? [String: Any])
        var result: [String: [UInt32]] = [:]
        for (name, value) in header where name != "__metadata__" {
            let entry = try #require(value as? [String: Any])
            #expect(entry["dtype"] as? String == "F32")
            let offsets = try #require(entry["data_offsets"] as? [Int])
            let start = 8 + headerLength + offsets[0], end = 8 + headerLength + offsets[1]
            result[name] = stride(from: start, to: end, by: 4).map { index in
                (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[index + $1]) << (8 * UInt32($1)) }
            }
        }
        return result
    }
}
