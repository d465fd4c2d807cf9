import Foundation
import NBRun

/// Counts the words of a text file named by a `.path` parameter: its content is part of
/// the fingerprint, so replacing the file reruns the stage.
struct CountWordsStage: Stage {
    static let name = "count-words"
    static let summary = "Counts the words of a text file."

    @Parameter(help: "The text file to read, relative to the manifest.") var text: NotebookPath? = nil

    func run(_ context: StageContext) throws {
        guard let url = text?.url else {
            context.print("no text file given")
            try context.writeArtifact(Data("0\n".utf8), named: "word-count.txt")
            return
        }
        guard let content = try? String(contentsOf: url, encoding: .utf8) else {
            throw DemoStageError.unreadableText(url.path)
        }
        let words = content.split(whereSeparator: { $0.isWhitespace || $0.isNewline }).count
        context.print("\(url.lastPathComponent): \(words) words")
        try context.writeArtifact(Data("\(words)\n".utf8), named: "word-count.txt")
    }
}
