/// A cell type as a value: what a configuration, a checkpoint or a notebook parameter names.
/// Each cell declares its own constant (`.lstm`, `.gru`, `.rnn`) next to its code.
public struct RecurrentCellKind: Sendable, Hashable, CustomStringConvertible {
    public let cellType: any RecurrentCell.Type

    public init(_ cellType: any RecurrentCell.Type) {
        self.cellType = cellType
    }

    /// Every cell nbrun knows, for loading checkpoints and parsing names. A new cell adds
    /// itself here and nowhere else.
    public static let all: [RecurrentCellKind] = [.lstm, .gru, .rnn]

    /// "LSTM", "GRU", "RNN": the reference's module name.
    public var name: String { cellType.moduleName }
    public var gates: [RecurrentGate] { cellType.gates }
    public var description: String { name }

    /// The cell named `name` (case-insensitive), if nbrun has it.
    public static func named(_ name: String) -> RecurrentCellKind? {
        all.first { $0.name.lowercased() == name.lowercased() }
    }

    public static func == (lhs: RecurrentCellKind, rhs: RecurrentCellKind) -> Bool {
        ObjectIdentifier(lhs.cellType) == ObjectIdentifier(rhs.cellType)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(cellType))
    }
}
