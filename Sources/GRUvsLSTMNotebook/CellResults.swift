import Foundation
import NeuralNetwork

/// The cells the notebook compares, in the order its tables and charts list them.
enum ComparedCells {
    static let all: [RecurrentCellKind] = [.lstm, .gru, .rnn]

    /// Artifact name of a cell's trained weights ("lstm.safetensors").
    static func weightsName(_ cell: RecurrentCellKind) -> String { "\(cell.name.lowercased()).safetensors" }
}

/// A percentage with one decimal, as the conclusions print it.
func percent(_ fraction: Double) -> String { String(format: "%.1f%%", fraction * 100) }

/// Seconds with two decimals.
func seconds(_ value: Double) -> String { String(format: "%.2f", value) }
