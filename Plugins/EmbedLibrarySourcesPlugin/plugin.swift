import Foundation
import PackagePlugin

/// Embeds into nbrun the Swift sources of every library a notebook may import (the
/// dependencies of the target it is applied to), so that a stage's fingerprint covers the
/// library code it reaches as it was compiled, not as it is on disk when nbrun runs.
@main
struct EmbedLibrarySourcesPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let module = target as? SourceModuleTarget else { return [] }
        let packageTargetIDs = Set(context.package.targets.map(\.id))
        func isLibrary(_ target: Target) -> Bool { packageTargetIDs.contains(target.id) }
        let libraries = module.recursiveTargetDependencies.filter(isLibrary)
            .compactMap { $0 as? SourceModuleTarget }
            .filter { !swiftFiles(of: $0).isEmpty }

        let output = context.pluginWorkDirectoryURL.appending(path: "NotebookLibrarySources.swift")
        var arguments = [output.path, "--libraries"]
        for library in libraries {
            let dependencies = library.recursiveTargetDependencies.filter(isLibrary).map(\.name).sorted()
            arguments += ["--module", library.name, dependencies.joined(separator: ",")]
                + swiftFiles(of: library).map(\.path)
        }
        return [
            .buildCommand(
                displayName: "Embedding the notebook libraries' sources",
                executable: try context.tool(named: "EmbedStageSources").url,
                arguments: arguments,
                inputFiles: libraries.flatMap(swiftFiles(of:)),
                outputFiles: [output])
        ]
    }

    private func swiftFiles(of module: SourceModuleTarget) -> [URL] {
        module.sourceFiles(withSuffix: "swift").map(\.url).sorted { $0.path < $1.path }
    }
}
