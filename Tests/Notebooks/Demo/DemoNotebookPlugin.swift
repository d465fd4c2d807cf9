import Foundation
import NBRun

/// Tiny stages that exercise every runner feature (artifacts, reads, figures, data
/// inputs, progress, failure, cancellation) in milliseconds, for tests and the demo notebook.
/// Its stages (`demo.*`) are every `Stage` under `Stages/`, found at build time.
public struct DemoNotebookPlugin: StagePlugin {
    public init() {}
    public let name = "demo"
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

