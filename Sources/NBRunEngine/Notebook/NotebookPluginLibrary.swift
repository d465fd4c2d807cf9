import Foundation
import SwiftSourceScan

/// Loads a compiled notebook into this process and returns its plugin.
///
/// The library is opened with its symbols kept to itself (`RTLD_LOCAL`), so two notebooks
/// never resolve each other's code; what it leaves undefined (the author API, the
/// libraries) resolves to this executable's own copies. Before anything of the plugin runs,
/// it must say it was compiled for this nbrun's build. A library is never unloaded: its
/// types live as long as the run.
enum NotebookPluginLibrary {
    static func load(_ compiled: NotebookPluginCompiler.Compiled, buildID: String) throws(NotebookCodeError) -> any StagePlugin {
        let path = compiled.library.path
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw .cannotLoad(path: path, reason: dlerror().map { String(cString: $0) } ?? "dlopen failed")
        }
        guard let buildSymbol = dlsym(handle, PluginRegistrationSource.buildSymbol) else {
            throw .cannotLoad(path: path, reason: "it has no \(PluginRegistrationSource.buildSymbol): not a notebook compiled by nbrun")
        }
        let build = unsafeBitCast(buildSymbol, to: (@convention(c) () -> UnsafePointer<CChar>).self)
        let built = String(cString: build())
        guard built == buildID else { throw .wrongBuild(path: path, built: built, running: buildID) }
        guard let entrySymbol = dlsym(handle, PluginRegistrationSource.entrySymbol) else {
            throw .cannotLoad(path: path, reason: "it has no \(PluginRegistrationSource.entrySymbol)")
        }
        let entry = unsafeBitCast(entrySymbol, to: (@convention(c) () -> UnsafeMutableRawPointer).self)
        return Unmanaged<StagePluginEntry>.fromOpaque(entry()).takeRetainedValue().plugin
    }
}
