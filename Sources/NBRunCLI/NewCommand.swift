import ArgumentParser
import Foundation
import NBRunEngine

extension NBRunCommand {
    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Scaffold a notebook in a new folder: its manifest and two stages, the second drawing a figure.",
            discussion: """
                The folder (default: ./NAME) must not exist yet; nothing existing is overwritten. \
                Then `nbrun FOLDER/NAME.manifest` compiles the stages and runs them.
                """)

        @Argument(help: "The notebook's name: a capital letter, then letters or digits (e.g. Waves).")
        var name: String

        @Argument(help: "The folder to create for it (default: NAME in the current folder).")
        var folder: String?

        func run() throws {
            try reportingFailures {
                let root = URL(fileURLWithPath: folder ?? name).standardizedFileURL
                let scaffold = try NotebookScaffold(name: name)
                // `mkdir -p` of the folders above it, as a user expects of a path they chose.
                try? FileManager.default.createDirectory(at: root.deletingLastPathComponent(), withIntermediateDirectories: true)
                let written = try scaffold.write(into: root)
                let shown = folder ?? name
                for path in written { Swift.print("created \(shown)/\(path)") }
                Swift.print("Run it with: nbrun \(shown)/\(scaffold.name).manifest")
            }
        }
    }
}
