/// Sizes of the reference notebook's digit classifier: an image is `inputSize`-wide rows
/// fed one per time step into an LSTM of `hiddenSize` units, then a Linear to `outputSize`
/// classes. The sequence length is not part of the model: it is the number of rows.
public struct LSTMConfiguration: Sendable, Hashable, CustomStringConvertible {
    public var inputSize: Int
    public var hiddenSize: Int
    public var outputSize: Int

    public init(inputSize: Int = 28, hiddenSize: Int = 128, outputSize: Int = 10) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.outputSize = outputSize
    }

    /// The largest input, hidden or output size a model may have, whether it comes from a
    /// parameter or from a weights file. One limit for both, so a file cannot ask for a
    /// model the parameter would refuse (4096 hidden units is already 1 GB of weights and moments).
    public static let maximumSize = 4096

    /// Width of the fused gate block: candidate, update, forget and output side by side.
    public var gateWidth: Int { 4 * hiddenSize }

    public var description: String {
        "LSTMConfiguration(input: \(inputSize), hidden: \(hiddenSize), output: \(outputSize))"
    }
}
