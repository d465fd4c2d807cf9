/// Sizes of a sequence classifier: sequences of `inputSize`-wide steps fed into a recurrent
/// `cell` of `hiddenSize` units, then a Linear to `outputSize` classes. The sequence length
/// is not part of the model: it is the data's.
public struct RecurrentConfiguration: Sendable, Hashable, CustomStringConvertible {
    public var cell: RecurrentCellKind
    public var inputSize: Int
    public var hiddenSize: Int
    public var outputSize: Int

    public init(cell: RecurrentCellKind, inputSize: Int, hiddenSize: Int, outputSize: Int) {
        self.cell = cell
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.outputSize = outputSize
    }

    /// Width of the fused gate block: every gate's H columns side by side.
    public var gateWidth: Int { cell.gates.count * hiddenSize }

    public var description: String {
        "\(cell.name)(input: \(inputSize), hidden: \(hiddenSize), output: \(outputSize))"
    }
}
