import Foundation

/// A figure a stage draws, declared once like an ``Artifact``:
///
/// ```swift
/// static let confusion = FigureOutput("confusion.png")
/// try context.write(Self.confusion, caption: "Confusion matrix") { try PNGWriter.write(chart, to: $0) }
/// ```
///
/// The one call writes the PNG into the stage's artifacts and puts it in the report, so the
/// file name is said once and a figure cannot be written without being shown (or shown
/// without being written).
public struct FigureOutput: Sendable, Hashable, CustomStringConvertible {
    /// The PNG's file name among the stage's artifacts.
    public let name: String

    public init(_ name: String) {
        self.name = name
    }

    public var description: String { name }
}

extension StageContext {
    /// Writes `figure` (`draw` writes the PNG to the URL it is given) and shows it in the
    /// report under the stage's output, with `caption` as its text alternative.
    public func write(_ figure: FigureOutput, caption: String, drawing draw: (URL) throws -> Void) throws {
        guard Self.isValidArtifactName(figure.name) else { throw StorageError.invalidArtifactName(figure.name) }
        try draw(outputURL(for: figure.name))
        addFigure(figure.name, caption: caption)
    }
}
