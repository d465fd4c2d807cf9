import Foundation
import MNISTNotebookData
import NBRun

/// A test-set evaluation handed on as JSON: the counts behind the accuracy a stage records
/// as its metric (the confusion matrix and which images were missed).
extension Evaluation: ArtifactContent {
    public static func readArtifact(from url: URL) throws -> Evaluation {
        try JSONDecoder().decode(Evaluation.self, from: Data(contentsOf: url))
    }

    public func writeArtifact(to url: URL) throws {
        try jsonData().write(to: url)
    }
}
