import Foundation
import NBRun
import NeuralNetwork

/// A network handed from stage to stage as a safetensors checkpoint, PyTorch's names and layout.
extension SequenceClassifier: ArtifactContent {
    public static func readArtifact(from url: URL) throws -> SequenceClassifier {
        try loadSafetensors(from: url)
    }

    public func writeArtifact(to url: URL) throws {
        try saveSafetensors(to: url)
    }
}
