import ArgumentParser
import Foundation
import NBRunCore

extension NBRun {
    struct Stages: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every registered stage kind with its parameters.")

        func run() throws {
            try reportingFailures {
                let registry = try makeRegistry()
                for kind in registry.kinds {
                    guard let entry = registry[kind] else { continue }
                    Swift.print("\(kind) — \(entry.stageType.summary)")
                    for spec in entry.stageType.parameters {
                        Swift.print("    \(spec.name): \(spec.kind.displayName) = \(spec.defaultValue)  \(spec.description)")
                    }
                }
            }
        }
    }
}
