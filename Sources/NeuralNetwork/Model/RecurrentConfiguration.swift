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

    /// The largest input, hidden or output size a model may have, whether it comes from a
    /// parameter or from a weights file. One limit for both, so a file cannot ask for a
    /// model the parameter would refuse (4096 hidden units is already 1 GB of weights and moments).
    public static let maximumSize = 4096

    /// Width of the fused gate block: every gate's H columns side by side.
    public var gateWidth: Int { cell.gates.count * hiddenSize }

    public var description: String {
        "\(cell.name)(input: \(inputSize), hidden: \(hiddenSize), output: \(outputSize))"
    }
}
