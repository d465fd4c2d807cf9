import Foundation
import NBRunCore

/// Prints a line, then fails when asked to: exercises failure reports and `--keep-going`.
struct FailStage: Stage {
    static let kind = "demo.fail"
    static let summary = "Throws when should-fail is true; otherwise writes a marker."
    static let sourceFileName = "Fail.swift"
    static let parameters = [
        ParameterSpec("should-fail", .boolean, default: .boolean(false), "Whether the stage throws."),
        ParameterSpec("message", .string, default: .string("as requested"), "The error message when it fails."),
    ]

    func run(_ context: StageContext) throws {
        context.print("about to decide whether to fail")
        try context.writeArtifact(Data("partial\n".utf8), named: "marker.txt")
        if context.parameters.bool("should-fail") {
            throw DemoStageError.requestedFailure(context.parameters.string("message"))
        }
        context.print("did not fail")
    }
}
