import ArgumentParser
import Foundation
import NBRunEngine

extension NBRunCommand {
    struct Clean: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove what nbrun wrote in the notebook's output folder (waiting for a running nbrun on it).",
            discussion: """
                Removes the stage folders nbrun recorded (only the artifacts their records list), \
                the report, the lock and nbrun's work folders, then the folder itself if nothing \
                else is left. Files nbrun did not write are kept and listed. A folder nbrun did not \
                create is refused, and so are dangerous targets (/, the home folder, the \
                manifest's folder or any folder above it, a repository root).
                """)

        @OptionGroup var notebook: ManifestOptions

        @Flag(help: "Fail at once instead of waiting when an nbrun is running with this cache or on the output folder.")
        var noWait = false

        func run() throws {
            try reportingFailures {
                let runner = Runner(registry: try makeRegistry(for: notebook.manifest))
                let manifest = try notebook.load(with: runner)
                var options = notebook.runOptions()
                options.waitForLock = !noWait
                let output = ArtifactStore(for: manifest, options: options).outputDirectory
                guard let report = try runner.clean(manifest, options: options) else {
                    Swift.print("nothing to remove at \(output.path)")
                    return
                }
                if report.removedFolder {
                    Swift.print("removed \(output.path)")
                } else if report.removedEverything {
                    Swift.print("removed nbrun's outputs from \(output.path), which was empty before nbrun used it and stays")
                } else {
                    Swift.print("removed nbrun's outputs from \(output.path) (\(report.removed.count) entries)")
                    Swift.print("left in place, not written by nbrun:")
                    for leftover in report.leftovers { Swift.print("  \(Console.oneLine(leftover))") }
                }
            }
        }
    }
}
