import ArgumentParser
import Foundation
import NBRunEngine

extension NBRunCommand {
    struct Runs: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the cached variants of a notebook's stages: differing parameters, metrics, duration, date, size.",
            discussion: """
                A variant's parameters include those of the upstream variants it was computed \
                from. Sizes count each artifact; the part also held by another variant is \
                marked shared, and the total counts every distinct content once.
                """)

        @OptionGroup var notebook: ManifestOptions

        @Flag(help: "Print the table as JSON, for scripts.")
        var json = false

        func run() throws {
            try reportingFailures {
                let runner = Runner(registry: try makeRegistry(for: notebook.manifest))
                let manifest = try notebook.load(with: runner)
                let table = try runner.variants(manifest, options: notebook.runOptions())
                // An output folder of an earlier layout has results the table cannot show yet: say so.
                for note in runner.statusNotes(manifest, options: notebook.runOptions()) {
                    FileHandle.standardError.write(Data("note: \(Console.oneLine(note))\n".utf8))
                }
                if json {
                    FileHandle.standardOutput.write(table.json() + Data("\n".utf8))
                } else {
                    Swift.print(table.text(), terminator: "")
                }
            }
        }
    }
}
