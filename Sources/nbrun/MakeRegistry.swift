import Foundation
import NBRunCore
import NotebookLibraries

/// The stages the manifest can name: its notebook's code and the notebooks it uses,
/// compiled when they changed, then loaded. A notebook that does not compile is an error
/// of the run (exit 1) with the compiler's messages; code nbrun refuses to read, exit 2.
func makeRegistry(for manifest: String, mayCompile: Bool = true) throws -> StageRegistry {
    guard !manifest.isEmpty else {
        throw CommandFailure(message: "the manifest path is empty; give the path of a manifest file", exitCode: 2)
    }
    do {
        let toolkit = try NotebookToolkit.locate(libraries: NotebookLibraries.code)
        var compiler = NotebookPluginCompiler(toolkit: toolkit, cacheFolder: NotebookPluginCompiler.defaultCacheFolder())
        compiler.mayCompile = mayCompile
        compiler.log = { FileHandle.standardError.write(Data("nbrun: \($0)\n".utf8)) }
        return try NotebookPlugins.registry(for: URL(fileURLWithPath: manifest), compiler: compiler,
                                            libraries: NotebookLibraries.code)
    } catch let error as NotebookCodeError {
        if case .compileFailed = error { throw CommandFailure(message: error.description, exitCode: 1) }
        throw CommandFailure(message: error.description, exitCode: 2)
    } catch let error as ManifestError {
        throw CommandFailure(message: error.description, exitCode: 2)
    } catch let error as RegistryError {
        throw CommandFailure(message: error.description, exitCode: 2)
    }
}
