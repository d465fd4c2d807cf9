import PackagePlugin

/// Embeds the text of every Swift file under a target's `Stages/` folder into the target
/// itself, so that a stage's cache fingerprint and its report cell come from the very
/// source that was compiled, not from whatever is on disk when nbrun runs.
@main
struct EmbedStageSourcesPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let module = target as? SourceModuleTarget else { return [] }
        let stageFiles = module.sourceFiles(withSuffix: "swift")
            .map(\.url)
            .filter { $0.pathComponents.contains("Stages") }
            .sorted { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedStageSources.swift")
        return [
            .buildCommand(
                displayName: "Embedding stage sources of \(target.name)",
                executable: try context.tool(named: "EmbedStageSources").url,
                arguments: [output.path] + stageFiles.map(\.path),
                inputFiles: stageFiles,
                outputFiles: [output])
        ]
    }
}
