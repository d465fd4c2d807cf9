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
                let width = plans.map(\.stage.name.count).max() ?? 0
                for plan in plans {
                    let padded = plan.stage.name.padding(toLength: width, withPad: " ", startingAt: 0)
                    Swift.print("\(padded)  \(plan.freshness.summary)")
                }
            }
        }
    }

    struct Why: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Explain why a stage would rerun: which part of its fingerprint changed, and what its cached run cost.")

        @OptionGroup var notebook: ManifestOptions

        @Argument(help: "The stage name.")
        var stage: String

        func run() throws {
            try reportingFailures {
                let runner = Runner(registry: try makeRegistry())
                let manifest = try notebook.load(with: runner)
                Swift.print(try runner.why(manifest, stage: stage, options: notebook.runOptions()))
            }
        }
    }

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
