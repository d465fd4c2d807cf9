import Foundation
import Testing
@testable import NeuralNetwork

/// Agreement with PyTorch on the reference model, number for number.
@Suite struct ReferenceFixtureTests {
    let fixture: ReferenceFixture

    init() throws {
        fixture = try ReferenceFixture.load()
    }

    @Test func parameterNamesShapesAndOrderMatchPyTorch() throws {
        let model = try fixture.makeModel()
        let named = model.namedParameters
        #expect(named.map(\.name) == fixture.parameterNames)
        for entry in named {
            #expect(entry.shape == fixture.parameterShapes[entry.name], "\(entry.name)")
            #expect(entry.values == fixture.parameters[entry.name], "\(entry.name) must round-trip exactly")
        }
    }

    @Test func forwardStatesAndLogitsMatchWithin1e5() throws {
        let model = try fixture.makeModel()
        let workspace = LSTMWorkspace(configuration: fixture.configuration, maxBatch: fixture.batch, maxSteps: fixture.steps)
        fixture.inputs.withUnsafeBufferPointer { inputs in
            workspace.forward(sequences: inputs.baseAddress!, batch: fixture.batch, steps: fixture.steps, weights: model.weights)
        }
        let hidden = fixture.configuration.hiddenSize
        var ourHidden = [Float](repeating: 0, count: fixture.hiddenStates.count)
        var ourCells = ourHidden
        // Fixture layout [batch, steps, hidden]; ours per step [batch, hidden].
        for step in 0..<fixture.steps {
            let a = workspace.hiddenState(afterStep: step), c = workspace.cellState(afterStep: step)
            for sequence in 0..<fixture.batch {
                for unit in 0..<hidden {
                    ourHidden[(sequence * fixture.steps + step) * hidden + unit] = a[sequence * hidden + unit]
                    ourCells[(sequence * fixture.steps + step) * hidden + unit] = c[sequence * hidden + unit]
                }
            }
        }
        #expect(maxAbsoluteDifference(ourHidden, fixture.hiddenStates) <= 1e-5)
        #expect(maxAbsoluteDifference(ourCells, fixture.cellStates) <= 1e-5)
        let logits = Array(UnsafeBufferPointer(start: workspace.logits, count: fixture.logits.count))
        #expect(maxAbsoluteDifference(logits, fixture.logits) <= 1e-5)
    }

    @Test func lossAndEveryGradientMatchWithin1e5() throws {
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

    @Test(arguments: [1, 3])
    func adamStepsMatchWithin1e6(steps: Int) throws {
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

    @Test func readsTheSafetensorsWrittenByPyTorch() throws {
        let url = ReferenceFixture.fixturesFolder.appendingPathComponent("lstm-reference.safetensors")
        let file = try SafetensorsFile(contentsOf: url)
        #expect(file.metadata["format"] == "pt")
        #expect(Set(file.tensors.map(\.name)) == Set(fixture.parameterNames))
        let model = try DigitClassification.loadSafetensors(from: url)
        #expect(model.configuration == fixture.configuration)
        for entry in model.namedParameters {
            #expect(entry.values == fixture.parameters[entry.name], "\(entry.name) must equal the JSON values bit for bit")
        }
    }
}
