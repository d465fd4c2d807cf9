import Foundation
import NBRun

/// Prints a line, then fails when asked to: exercises failure reports and `--keep-going`.
struct FailStage: Stage {
    static let name = "fail"
    static let summary = "Throws when should-fail is true; otherwise writes a marker."

    @Parameter(help: "Whether the stage throws.") var shouldFail = false
    @Parameter(help: "The error message when it fails.") var message = "as requested"

    func run(_ context: StageContext) throws {
        context.print("about to decide whether to fail")
        try context.writeArtifact(Data("partial\n".utf8), named: "marker.txt")
        if shouldFail {
            throw DemoStageError.requestedFailure(message)
        }
        context.print("did not fail")
    }
}
