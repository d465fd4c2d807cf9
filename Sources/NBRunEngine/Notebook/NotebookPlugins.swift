import Foundation
import SwiftSourceScan
import Yams

/// The stages a manifest can name: those of its own notebook's code and of the notebooks
/// its `uses:` lists (each a manifest, relative to this one's folder, whose notebook's code
/// is found by ``NotebookFolder``), compiled when needed and loaded.
///
/// `NBRUN_USES` (manifests separated by `:`) adds notebooks every manifest uses, as a shared
/// library of stages would be: a lab's own stages, or the test suite's demo notebook.
public enum NotebookPlugins {
    public static func registry(for manifest: URL, compiler: NotebookPluginCompiler, libraries: LibraryCode,
                                environment: [String: String] = ProcessInfo.processInfo.environment) throws -> StageRegistry {
        try load(manifest, compiler: compiler, libraries: libraries, environment: environment, fallingBack: false).registry
    }

    /// A notebook whose code did not compile: the compiler's messages, and the stages they
    /// concern, by kind (every stage of the notebook when a helper file is at fault).
    public struct CompileFailure: Sendable {
        public var error: NotebookCodeError
        public var messagesByKind: [String: String]
    }

    /// The registry for a run that writes its report whatever happens: a notebook whose code
    /// does not compile is loaded as it last compiled, and its failure returned, so that the
    /// report shows the compiler's messages at the stages they concern and every other stage
    /// with its last good results. Without a last good version the failure is thrown.
    public static func registryForReport(for manifest: URL, compiler: NotebookPluginCompiler, libraries: LibraryCode,
                                         environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> (registry: StageRegistry, failures: [CompileFailure])
    {
        try load(manifest, compiler: compiler, libraries: libraries, environment: environment, fallingBack: true)
    }

    static func load(_ manifest: URL, compiler: NotebookPluginCompiler, libraries: LibraryCode,
                     environment: [String: String], fallingBack: Bool) throws -> (registry: StageRegistry, failures: [CompileFailure]) {
        var failures: [CompileFailure] = []
        var plugins: [StageRegistry.PluginCode] = []
        var modules: [String: String] = [:]
        let everywhere = (environment["NBRUN_USES"] ?? "").split(separator: ":").map { URL(fileURLWithPath: String($0)) }
        for notebook in try notebooks(for: manifest, alsoUsing: everywhere) where notebook.codeFolder != nil {
            if let first = modules[notebook.moduleName] {
                throw NotebookCodeError.sameModule(module: notebook.moduleName, first: first, second: notebook.manifestURL.path)
            }
            modules[notebook.moduleName] = notebook.manifestURL.path
            var compiled: NotebookPluginCompiler.Compiled?
            var failure: NotebookCodeError?
            do throws(NotebookCodeError) { compiled = try compiler.compile(notebook) } catch { failure = error }
            if let failure {
                guard fallingBack, let diagnostics = failure.compilerDiagnostics, let last = compiler.lastGood(notebook) else {
                    throw failure
                }
                let code = code(of: try NotebookPluginLibrary.load(last, buildID: compiler.toolkit.buildID), compiledFrom: last.files)
                plugins.append(code)
                failures.append(CompileFailure(error: failure, messagesByKind: messages(diagnostics, for: code, in: notebook)))
                continue
            }
            guard let compiled else { continue }
            let plugin = try NotebookPluginLibrary.load(compiled, buildID: compiler.toolkit.buildID)
            plugins.append(code(of: plugin, compiledFrom: compiled.files))
        }
        return (try StageRegistry(code: plugins, libraries: libraries), failures)
    }

    /// The compiler's `FILE:LINE:COLUMN: error: …` lines by stage kind: a stage's own file's
    /// to that stage; a helper file's to every stage of the notebook.
    static func messages(_ diagnostics: String, for plugin: StageRegistry.PluginCode, in notebook: NotebookFolder) -> [String: String] {
        let folder = notebook.codeFolder!.path
        var byFile: [String: [String]] = [:]
        for line in diagnostics.split(separator: "\n").map(String.init) where line.contains(": error: ") {
            let path = String(line.prefix { $0 != ":" })
            let relative = path.hasPrefix(folder + "/") ? String(path.dropFirst(folder.count + 1)) : ""
            byFile[relative, default: []].append(line)
        }
        let stageFiles = Set(plugin.stages.map(\.fileName))
        let helperErrors = byFile.filter { !stageFiles.contains($0.key) }.values.flatMap { $0 }
        var result: [String: String] = [:]
        for stage in plugin.stages {
            let own = byFile[stage.fileName] ?? []
            let lines = own + helperErrors
            guard !lines.isEmpty else { continue }
            result[plugin.name + "." + stage.type.name] = "the notebook's code does not compile:\n" + lines.joined(separator: "\n")
        }
        return result
    }

    /// The plugin with the text of the files it was compiled from (read once, hashed into
    /// the plugin's key, then compiled): its stages' sources, and its own module, the helper
    /// files, which depend on what they import.
    static func code(of plugin: any StagePlugin, compiledFrom files: [NotebookFolder.SourceFile]) -> StageRegistry.PluginCode {
        let text = Dictionary(uniqueKeysWithValues: files.map { ($0.relativePath, $0.text) })
        let stages = plugin.stages.map { stage in
            EmbeddedStage(type: stage.type, fileName: stage.fileName, source: text[stage.fileName] ?? "")
        }
        let helpers = files.filter { !$0.isStage }
        let own = plugin.libraryCode.ownModule
        let ownText = helpers.map { "// file: \($0.relativePath)\n\($0.text)" }.joined(separator: "\n")
        let imports = helpers.reduce(into: Set<String>()) { $0.formUnion(SwiftSourceScan.importedModules(in: $1.text)) }
        return StageRegistry.PluginCode(
            name: plugin.name, stages: stages,
            libraryCode: LibraryCode(ownModule: own, sources: [own: ownText], dependencies: [own: imports.subtracting([own]).sorted()]))
    }

    /// The manifest's notebook, then those it uses, each once (a cycle of `uses:` ends where
    /// it comes back).
    public static func notebooks(for manifest: URL, alsoUsing everywhere: [URL] = []) throws -> [NotebookFolder] {
        var result: [NotebookFolder] = []
        var seen: Set<String> = []
        for url in everywhere where url.pathExtension != "manifest" || !FileKind.following(url.path).isRegularFile {
            throw NotebookCodeError.usedNotebookNotFound(manifest: "NBRUN_USES", entry: url.path, path: url.standardizedFileURL.path)
        }
        var pending = [manifest.standardizedFileURL] + everywhere.map(\.standardizedFileURL)
        while !pending.isEmpty {
            let url = pending.removeFirst()
            guard seen.insert(url.resolvingSymlinksInPath().path).inserted else { continue }
            result.append(NotebookFolder(manifest: url))
            for entry in try usedManifests(in: url) {
                let used = URL(fileURLWithPath: entry, relativeTo: url.deletingLastPathComponent()).standardizedFileURL
                guard used.pathExtension == "manifest", FileKind.following(used.path).isRegularFile else {
                    throw NotebookCodeError.usedNotebookNotFound(manifest: url.path, entry: entry, path: used.path)
                }
                pending.append(used)
            }
        }
        return result
    }

    /// The `uses:` entries of a manifest, read before its stages can be checked. A manifest
    /// that cannot be read or parsed has none here: loading it reports why, at its line.
    static func usedManifests(in manifest: URL) throws(ManifestError) -> [String] {
        guard let data = try? ManifestFile.read(manifest, limit: ManifestLoader.maximumSize),
              let text = String(data: data, encoding: .utf8), !text.contains("\0"),
              ManifestNesting.firstExcess(in: text, limit: ManifestLoader.maximumNesting) == nil,
              case .mapping(let root)? = try? Yams.compose(yaml: text),
              let uses = root["uses"] else { return [] }
        return try ManifestNodeReader.usedManifests(uses, file: manifest.path)
    }
}
