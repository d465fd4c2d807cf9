import Foundation
import PackagePlugin

/// Embeds into a plugin target the text of every Swift file under its `Stages/` folder,
/// and the Swift sources of the library modules its stages can call (the target's own
/// other files and every module of this package it depends on), so that a stage's cache
/// fingerprint and its report cell come from the very code that was compiled, not from
/// whatever is on disk when nbrun runs.
@main
struct EmbedStageSourcesPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let module = target as? SourceModuleTarget else { return [] }
        let ownFiles = swiftFiles(of: module)
        let stageFiles = ownFiles.filter { $0.pathComponents.contains("Stages") }
        let helperFiles = ownFiles.filter { !$0.pathComponents.contains("Stages") }

        // Library modules of this package only: a dependency package's code is pinned by
        // its version, and the runner core (NBRunCore) is not stage code.
        let packageTargetIDs = Set(context.package.targets.map(\.id))
        let libraries = module.recursiveTargetDependencies
            .filter { packageTargetIDs.contains($0.id) && $0.name != "NBRunCore" }
            .compactMap { $0 as? SourceModuleTarget }
            .filter { !swiftFiles(of: $0).isEmpty }

        var arguments = [context.pluginWorkDirectoryURL.appending(path: "EmbeddedStageSources.swift").path]
        arguments += ["--stages"] + stageFiles.map(\.path)
        // No dependencies for the own module, on purpose: a stage must import what it uses
        // (see LibraryCode), so helpers cannot silently widen every stage's fingerprint.
        arguments += ["--module", module.name, ""] + helperFiles.map(\.path)
        for library in libraries {
            let dependencies = library.recursiveTargetDependencies
                .filter { packageTargetIDs.contains($0.id) && $0.name != "NBRunCore" }.map(\.name).sorted()
            arguments += ["--module", library.name, dependencies.joined(separator: ",")]
                + swiftFiles(of: library).map(\.path)
        }
        let inputs = ownFiles + libraries.flatMap(swiftFiles(of:))
        return [
            .buildCommand(
                displayName: "Embedding stage sources of \(target.name)",
                executable: try context.tool(named: "EmbedStageSources").url,
                arguments: arguments,
                inputFiles: inputs,
                outputFiles: [context.pluginWorkDirectoryURL.appending(path: "EmbeddedStageSources.swift")])
        ]
    }

    private func swiftFiles(of module: SourceModuleTarget) -> [URL] {
        module.sourceFiles(withSuffix: "swift").map(\.url).sorted { $0.path < $1.path }
    }
}
