import Foundation
import NBRunCore

/// Tiny stages that exercise every runner feature (artifacts, reads, figures, data
/// inputs, progress, failure, cancellation) in milliseconds, for tests and the demo notebook.
public struct DemoNotebookPlugin: StagePlugin {
    public init() {}

    public var name: String { "demo" }

    public var stages: [any Stage.Type] {
        [GenerateStage.self, SquareStage.self, SummarizeStage.self, HistogramStage.self,
         CountWordsStage.self, FailStage.self, SlowStage.self]
    }

    public var stageSources: [String: String] { EmbeddedStageSources.byFileName }

    public var libraryCode: LibraryCode {
        LibraryCode(ownModule: EmbeddedStageSources.ownModule, sources: EmbeddedStageSources.librarySources,
                    dependencies: EmbeddedStageSources.libraryDependencies)
    }
}

/// Errors of the demo stages; each names the value or file at fault.
public enum DemoStageError: Error, Sendable, CustomStringConvertible {
    case requestedFailure(String)
    case malformedNumber(file: String, line: Int, text: String)
    case unreadableText(String)

    public var description: String {
        switch self {
        case .requestedFailure(let message): return "failure requested by parameter should-fail: \(message)"
        case .malformedNumber(let file, let line, let text): return "\(file):\(line): '\(text)' is not an integer"
        case .unreadableText(let path): return "\(path) is not readable UTF-8 text"
        }
    }
}

/// Reads an artifact of integers, one per line.
func readIntegers(at url: URL) throws -> [Int] {
    let text = try String(contentsOf: url, encoding: .utf8)
    var numbers: [Int] = []
    for (index, line) in text.split(separator: "\n").enumerated() {
        guard let value = Int(line) else {
            throw DemoStageError.malformedNumber(file: url.lastPathComponent, line: index + 1, text: String(line))
        }
        numbers.append(value)
    }
    return numbers
}
