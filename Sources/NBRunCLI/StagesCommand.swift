import ArgumentParser
import Foundation
import NBRunEngine

extension NBRunCommand {
    struct Stages: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the stage kinds a manifest can name (its notebook's and those it uses), with their parameters.")

        @Argument(help: "The notebook manifest, e.g. Notebooks/LSTM.manifest.")
        var manifest: String

        func run() throws {
            try reportingFailures {
                let registry = try makeRegistry(for: manifest)
                for kind in registry.kinds {
                    guard let entry = registry[kind] else { continue }
                    Swift.print("\(kind) — \(entry.stageType.summary)")
                    for spec in entry.stageType.parameters {
                        let type = spec.kind.displayName + (spec.isOptional ? ", optional" : "")
                        Swift.print("    \(spec.name): \(type) = \(spec.defaultValue)  \(spec.description)")
                    }
                }
            }
        }
    }
}
