import Foundation
import NBRun

/// Sleeps through a number of steps with a progress bar, stopping when cancelled: shows
/// progress reporting, Ctrl-C handling, the run lock and resumable state on a stage that
/// takes a while. After each step it checkpoints how far it got in its resume folder, so a
/// run interrupted at step 7 continues at step 8 (unless `--force` discards the checkpoint).
struct SlowStage: Stage {
    static let name = "slow"
    static let summary = "Waits step by step, with progress; stops on Ctrl-C and resumes where it stopped."

    @Parameter(help: "Number of steps.", range: 0...100_000) var steps = 10
    @Parameter(help: "Time per step.", range: 0...10_000) var stepMilliseconds = 20

    static let checkpointFileName = "completed-steps.txt"

    func run(_ context: StageContext) throws {
        let checkpoint = context.resumeDirectory.appendingPathComponent(Self.checkpointFileName)
        let resumedAfter = min(Self.completedSteps(in: checkpoint, fingerprint: context.fingerprint), steps)
        if resumedAfter > 0 { context.print("resuming after step \(resumedAfter)") }
        let progress = context.progress(total: steps, unit: "steps")
        if resumedAfter > 0 { progress.advance(by: resumedAfter, status: "resumed") }
        for step in resumedAfter..<steps {
            if context.isCancelled { throw CancellationError() }
            Thread.sleep(forTimeInterval: Double(stepMilliseconds) / 1000)
            try Data("\(context.fingerprint)\n\(step + 1)\n".utf8).write(to: checkpoint, options: .atomic)
            progress.advance(status: "step \(step + 1)")
        }
        progress.finish()
        context.print("waited \(steps) steps")
        try context.writeArtifact(Data("\(steps)\n".utf8), named: "steps.txt")
    }

    /// Steps finished by an earlier attempt with the same fingerprint (0 when none or unreadable).
    static func completedSteps(in checkpoint: URL, fingerprint: String) -> Int {
        guard let text = try? String(contentsOf: checkpoint, encoding: .utf8) else { return 0 }
        let lines = text.split(separator: "\n").map(String.init)
        guard lines.count == 2, lines[0] == fingerprint, let steps = Int(lines[1]), steps >= 0 else { return 0 }
        return steps
    }
}
