import ArgumentParser
import Foundation
import NBRunEngine

extension NBRunCommand {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List each stage as fresh, stale or never run, with the reason.")

        @OptionGroup var notebook: ManifestOptions

        func run() throws {
            try reportingFailures {
                let runner = Runner(registry: try makeRegistry(for: notebook.manifest))
                let manifest = try notebook.load(with: runner)
                let decisions = try runner.status(manifest, options: notebook.runOptions())
                for note in runner.statusNotes(manifest, options: notebook.runOptions()) {
                    Swift.print("note: \(Console.oneLine(note))")
                }
                let width = decisions.map(\.stage.name.count).max() ?? 0
                for decision in decisions {
                    let padded = decision.stage.name.padding(toLength: width, withPad: " ", startingAt: 0)
                    Swift.print("\(padded)  \(Console.oneLine(decision.summary))")
                }
            }
        }
    }
}
