import Foundation
import PackagePlugin

/// Generates nbrun's list of notebook plugins from the notebook targets it depends on (a
/// target with a `Stages/` folder), so that adding a notebook edits no file of nbrun.
@main
struct NotebookRegistryPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let notebooks = target.dependencies.compactMap { dependency -> SourceModuleTarget? in
            guard case .target(let target) = dependency, let module = target as? SourceModuleTarget else { return nil }
            let hasStages = module.sourceFiles(withSuffix: "swift").contains { $0.url.pathComponents.contains("Stages") }
            return hasStages ? module : nil
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "RegisteredPlugins.swift")
        return [
            .buildCommand(
                displayName: "Generating nbrun's notebook registry",
                executable: try context.tool(named: "GenerateNotebookRegistry").url,
                arguments: [output.path] + notebooks.map(\.name).sorted(),
                inputFiles: [],
                outputFiles: [output])
        ]
    }
}
