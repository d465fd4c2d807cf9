import Foundation
import NBRun
import NeuralNetwork
import NotebookTraining

/// The cells the notebook compares, in the order its tables and charts list them.
enum ComparedCells {
    static let all: [RecurrentCellKind] = [.lstm, .gru, .rnn]

    /// A cell's trained weights ("lstm.safetensors"), written by `same-budget` and read by
    /// `vanishing-gradient`.
    static func weights(_ cell: RecurrentCellKind) -> Artifact<SequenceClassifier> {
        Artifact("\(cell.name.lowercased()).safetensors")
    }
}

/// A percentage with one decimal, as the conclusions print it.
func percent(_ fraction: Double) -> String { String(format: "%.1f%%", fraction * 100) }

/// Seconds with two decimals.
func seconds(_ value: Double) -> String { String(format: "%.2f", value) }
