@testable import NeuralNetwork
import Testing

/// The derived weight copies rebuilt in parts (as the trainer's threads rebuild them) are
/// the same bits as rebuilt whole, for any number of parts, including more parts than panels.
@Suite struct RefreshDerivedTests {
    func snapshot(_ weights: RecurrentWeights) -> [UInt32] {
        let configuration = weights.configuration
        let hidden = configuration.hiddenSize, width = configuration.gateWidth
        func floats(_ pointer: UnsafePointer<Float>, _ count: Int) -> [UInt32] {
            UnsafeBufferPointer(start: pointer, count: count).map(\.bitPattern)
        }
        func panels(_ packed: PackedPanels) -> [UInt32] {
            floats(packed.storage, packed.blockCount * packed.panelsPerBlock * packed.depth * PackedPanels.panelWidth)
        }
        return floats(weights.classifierWeights, configuration.outputSize * hidden)
            + floats(weights.fusedGateBias, width)
            + panels(weights.packedTransposedRecurrentWeights) + panels(weights.packedRecurrentWeights)
    }

    @Test(arguments: [RecurrentCellKind.lstm, .gru, .rnn], [1, 2, 3, 7])
    func partsRebuildTheSameCopiesAsTheWhole(cell: RecurrentCellKind, parts: Int) {
        // Hidden 70: three panels per block, the last one ragged.
        let configuration = RecurrentConfiguration(cell: cell, inputSize: 5, hiddenSize: 70, outputSize: 3)
        let whole = SequenceClassifier(configuration: configuration, seed: 9).weights
        let parted = SequenceClassifier(configuration: configuration, seed: 10).weights
        parted.parameters.baseAddress!.update(from: whole.parameters.baseAddress!, count: whole.parameters.count)
        #expect(snapshot(whole) != snapshot(parted), "the copies must start out different to show anything")
        whole.refreshDerived()
        for part in 0..<parts { parted.refreshDerived(part: part, of: parts) }
        #expect(snapshot(whole) == snapshot(parted))
    }
}
