import ArgumentParser
import Foundation
import NBRunCore

extension NBRun {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List each stage as fresh, stale or never run, with the reason.")

        @OptionGroup var notebook: ManifestOptions

        func run() throws {
            try reportingFailures {
                let runner = Runner(registry: try makeRegistry())
                let manifest = try notebook.load(with: runner)
                let plans = try runner.status(manifest, options: notebook.runOptions())
                for note in runner.statusNotes(manifest, options: notebook.runOptions()) {
                    Swift.print("note: \(note)")
                }
                let width = plans.map(\.stage.name.count).max() ?? 0
                for plan in plans {
                    let padded = plan.stage.name.padding(toLength: width, withPad: " ", startingAt: 0)
                    Swift.print("\(padded)  \(plan.statusSummary)")
                }
            }
        }
    }
}
