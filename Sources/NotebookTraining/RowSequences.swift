import MNIST
import MNISTNotebookData

/// MNIST images read as sequences: one pixel row per step, then `blankRows` rows of zeros.
/// With blank rows the network has seen the whole digit long before it must answer, so the
/// answer depends on what it can carry across the delay.
public struct RowSequences: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public let blankRows: Int

    public init(rows: Int, columns: Int, blankRows: Int = 0) {
        precondition(rows > 0 && columns > 0 && blankRows >= 0, "RowSequences: rows \(rows), columns \(columns), blank \(blankRows)")
        self.rows = rows
        self.columns = columns
        self.blankRows = blankRows
    }

    public init(_ dataset: MNISTDataset, blankRows: Int = 0) {
        self.init(rows: dataset.rows, columns: dataset.columns, blankRows: blankRows)
    }

    /// Time steps per sequence.
    public var steps: Int { rows + blankRows }
    /// Floats per sequence.
    public var floatsPerSequence: Int { steps * columns }

    /// Spreads `count` images packed at the start of `buffer` (as `MNISTEpoch.fill` writes
    /// them) into sequences with their blank rows, in place. Images move back to front, so
    /// none is overwritten before it has moved.
    public func spread(_ buffer: UnsafeMutableBufferPointer<Float>, count: Int) {
        guard blankRows > 0, count > 0 else { return }
        let pixels = rows * columns, stride = floatsPerSequence
        precondition(buffer.count >= count * stride, "RowSequences.spread: \(buffer.count) floats for \(count) sequences")
        let base = buffer.baseAddress!
        for image in (0..<count).reversed() {
            let source = base + image * pixels, destination = base + image * stride
            for offset in (0..<pixels).reversed() { destination[offset] = source[offset] }
            (destination + pixels).update(repeating: 0, count: stride - pixels)
        }
    }

    /// Images `range` of `dataset` as sequences, batch-first.
    public func sequences(of dataset: MNISTDataset, range: Range<Int>) -> [Float] {
        var result = dataset.floatImages(range)
        result.append(contentsOf: repeatElement(0, count: range.count * (floatsPerSequence - rows * columns)))
        result.withUnsafeMutableBufferPointer { spread($0, count: range.count) }
        return result
    }
}
