import Foundation
import NBRunEngine
import NotebookLibraries

/// The stages the manifest can name: its notebook's code and the notebooks it uses,
/// compiled when they changed, then loaded. A notebook that does not compile is an error
/// of the run (exit 1) with the compiler's messages; code nbrun refuses to read, exit 2.
///
/// `pluginCache` replaces the user's folder of compiled notebooks: a Slurm submission
/// compiles into its output folder, where its tasks, which never compile, load them.
func makeRegistry(for manifest: String, mayCompile: Bool = true, pluginCache: URL? = nil) throws -> StageRegistry {
    try loadingNotebooks(manifest) {
        var compiler = try makeCompiler()
        compiler.mayCompile = mayCompile
        if let pluginCache { compiler.cacheFolder = pluginCache }
        return try NotebookPlugins.registry(for: URL(fileURLWithPath: manifest), compiler: compiler,
                                            libraries: NotebookLibraries.code)
    }
}

/// For a run, which writes its report whatever happens: a notebook whose edit does not compile
/// comes as it last compiled, with the compiler's messages for the stages they concern.
func makeRegistryForReport(for manifest: String) throws -> (registry: StageRegistry, failures: [NotebookPlugins.CompileFailure]) {
    try loadingNotebooks(manifest) {
        try NotebookPlugins.registryForReport(for: URL(fileURLWithPath: manifest), compiler: try makeCompiler(),
                                              libraries: NotebookLibraries.code)
    }
}

private func makeCompiler() throws -> NotebookPluginCompiler {
    let toolkit = try NotebookToolkit.locate(libraries: NotebookLibraries.code)
    var compiler = NotebookPluginCompiler(toolkit: toolkit, cacheFolder: NotebookPluginCompiler.defaultCacheFolder())
    compiler.log = { FileHandle.standardError.write(Data("nbrun: \($0)\n".utf8)) }
    return compiler
}

private func loadingNotebooks<T>(_ manifest: String, _ body: () throws -> T) throws -> T {
    guard !manifest.isEmpty else {
        throw CommandError.emptyManifestPath
    }
    return try body()
}
