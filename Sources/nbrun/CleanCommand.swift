import ArgumentParser
import Foundation
import NBRunCore

extension NBRun {
    struct Clean: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the notebook's output folder (waiting for a running nbrun on it).")

        @OptionGroup var notebook: ManifestOptions

        @Flag(help: "Fail at once instead of waiting when another nbrun is using the output folder.")
        var noWait = false

        func run() throws {
            try reportingFailures {
                let runner = Runner(registry: try makeRegistry())
                let manifest = try notebook.load(with: runner)
                var options = notebook.runOptions()
                options.waitForLock = !noWait
                let output = manifest.outputDirectory(override: options.outputDirectory)
                let removed = try runner.clean(manifest, options: options)
                Swift.print(removed ? "removed \(output.path)" : "nothing to remove at \(output.path)")
            }
        }
    }
}
