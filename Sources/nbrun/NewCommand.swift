import ArgumentParser
import Foundation
import NBRunCore

extension NBRun {
    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Scaffold a notebook: Notebooks/NAME.manifest and a plugin folder with two stages, a figure and a test.",
            discussion: """
                Run it from the repository root. Nothing existing is overwritten. Then \
                `./nbrun Notebooks/NAME.manifest` builds nbrun with the new plugin and runs it.
                """)

        @Argument(help: "The notebook's name: a capital letter, then letters or digits (e.g. Waves).")
        var name: String

        @Option(help: "The nbrun package folder (default: the current folder).")
        var packagePath: String = "."

        func run() throws {
            try reportingFailures {
                let scaffold: NotebookScaffold
                let written: [String]
                do throws(ScaffoldError) {
                    scaffold = try NotebookScaffold(name: name)
                    written = try scaffold.write(into: URL(fileURLWithPath: packagePath).standardizedFileURL)
                } catch {
                    throw CommandFailure(message: error.description, exitCode: 2)
                }
                for path in written { Swift.print("created \(path)") }
                Swift.print("Run it with: ./nbrun Notebooks/\(scaffold.name).manifest")
            }
        }
    }
}
