import Foundation
import NBRunCore

/// Sleeps through a number of steps with a progress bar, stopping when cancelled: shows
/// progress reporting, Ctrl-C handling and the run lock on a stage that takes a while.
struct SlowStage: Stage {
    static let kind = "demo.slow"
    static let summary = "Waits step by step, with progress; stops on Ctrl-C."
    static let sourceFileName = "Slow.swift"
    static let parameters = [
        ParameterSpec("steps", .integer(0...100_000), default: .integer(10), "Number of steps."),
        ParameterSpec("step-milliseconds", .integer(0...10_000), default: .integer(20), "Time per step."),
    ]

    func run(_ context: StageContext) throws {
        let steps = context.parameters.int("steps")
        let progress = context.progress(total: steps, unit: "steps")
        for step in 0..<steps {
            if context.isCancelled { throw CancellationError() }
            Thread.sleep(forTimeInterval: Double(context.parameters.int("step-milliseconds")) / 1000)
            progress.advance(status: "step \(step + 1)")
        }
        progress.finish()
        context.print("waited \(steps) steps")
        try context.writeArtifact(Data("\(steps)\n".utf8), named: "steps.txt")
    }
}
