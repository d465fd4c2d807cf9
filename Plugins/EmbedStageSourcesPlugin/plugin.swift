import Foundation
import PackagePlugin

/// Gives a repository notebook built as a package target (for its tests, which run its
/// stages in-process) the registration nbrun generates when it compiles a notebook folder:
/// the text of its stage files, the sources of the library modules its files can reach, and
/// the list of its stages (see `PluginRegistrationSource`).
@main
struct EmbedStageSourcesPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let module = target as? SourceModuleTarget else { return [] }
        let ownFiles = swiftFiles(of: module)
        let stageFiles = ownFiles.filter { $0.pathComponents.contains("Stages") }
        let helperFiles = ownFiles.filter { !$0.pathComponents.contains("Stages") }

        // Every library module of this package the notebook could import, the author API
        // (NBRun) included; the tool keeps those its files reach. A dependency package's code
        // is pinned by its version.
        let packageTargetIDs = Set(context.package.targets.map(\.id))
        func isLibrary(_ target: Target) -> Bool { packageTargetIDs.contains(target.id) }
        let libraries = module.recursiveTargetDependencies.filter(isLibrary)
            .compactMap { $0 as? SourceModuleTarget }
            .filter { !swiftFiles(of: $0).isEmpty }

        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedStageSources.swift")
        var arguments = [output.path]
        arguments += ["--own", module.name] + helperFiles.map(\.path)
        arguments += ["--stages"] + stageFiles.map(\.path)
        for library in libraries {
            let dependencies = library.recursiveTargetDependencies.filter(isLibrary).map(\.name).sorted()
            arguments += ["--module", library.name, dependencies.joined(separator: ",")]
                + swiftFiles(of: library).map(\.path)
        }
        return [
            .buildCommand(
                displayName: "Embedding stage sources of \(target.name)",
                executable: try context.tool(named: "EmbedStageSources").url,
                arguments: arguments,
                inputFiles: ownFiles + libraries.flatMap(swiftFiles(of:)),
                outputFiles: [output])
        ]
    }

    private func swiftFiles(of module: SourceModuleTarget) -> [URL] {
        module.sourceFiles(withSuffix: "swift").map(\.url).sorted { $0.path < $1.path }
    }
}
