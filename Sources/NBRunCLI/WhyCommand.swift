import ArgumentParser
import Foundation
import NBRunEngine

extension NBRunCommand {
    struct Why: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Explain why a stage would rerun: which part of its fingerprint changed, and what its cached run cost.")

        @OptionGroup var notebook: ManifestOptions

        @Argument(help: "The stage name.")
        var stage: String

        func run() throws {
            try reportingFailures {
                let runner = Runner(registry: try makeRegistry(for: notebook.manifest))
                let manifest = try notebook.load(with: runner)
                Swift.print(WhyText.render(try runner.why(manifest, stage: stage, options: notebook.runOptions())))
            }
        }
    }
}
