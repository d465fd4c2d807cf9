/// The Swift file that registers a notebook's stages, compiled into the notebook's module.
///
/// It embeds the text of every stage file (and of the helper files, which every stage of
/// the notebook may call), so that a stage's fingerprint and its report cell come from the
/// very code that was compiled, not from whatever is on disk when nbrun runs. It lists the
/// stages, each with its file, by scanning for types that conform to `Stage`, so that adding
/// a stage means adding a file. Two callers generate it: the build plugin for the
/// repository's notebooks built as package targets (for their tests), and nbrun when it
/// compiles a notebook folder into a plugin it loads.
public struct PluginRegistrationSource: Sendable {
    /// The notebook's module (`LSTMNotebook`).
    public var ownModule: String
    /// Files outside `Stages/`: helpers, and the one type conforming to `StagePlugin`.
    public var helperFiles: [(path: String, text: String)]
    public var stageFiles: [(path: String, text: String)]
    /// The library modules whose sources the generated code embeds, by name. Empty when the
    /// host provides them: nbrun embeds the libraries it was built with once, for every plugin.
    public var libraries: [String: LibraryModule]
    /// The build of nbrun a plugin is compiled for; nil for a package target. When set, the
    /// file also exports the C entry points nbrun looks up after loading the library.
    public var hostBuild: String?

    public init(ownModule: String, helperFiles: [(path: String, text: String)], stageFiles: [(path: String, text: String)],
                libraries: [String: LibraryModule] = [:], hostBuild: String? = nil) {
        self.ownModule = ownModule
        self.helperFiles = helperFiles
        self.stageFiles = stageFiles
        self.libraries = libraries
        self.hostBuild = hostBuild
    }

    /// The C symbol that returns the plugin (a retained `StagePluginEntry`).
    public static let entrySymbol = "nbrun_notebook_plugin"
    /// The C symbol that returns, as a NUL-terminated string, the nbrun build the plugin was
    /// compiled against: checked before anything else of the plugin is called.
    public static let buildSymbol = "nbrun_notebook_plugin_build"

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case noPluginType(module: String)
        case severalPluginTypes(module: String, types: [String])

        public var description: String {
            switch self {
            case .noPluginType(let module):
                return "\(module) declares no type conforming to StagePlugin outside Stages/ "
                    + "(e.g. `struct \(module)Plugin: StagePlugin { let name = \"prefix\" }`)"
            case .severalPluginTypes(let module, let types):
                return "\(module) declares several StagePlugin types (\(types.joined(separator: ", "))); a notebook has one"
            }
        }
    }

    /// The plugin type: exactly one, in the helper files.
    public func pluginType() throws(Failure) -> String {
        let types = helperFiles.flatMap { SwiftSourceScan.types(conformingTo: "StagePlugin", in: $0.text) }
        guard !types.isEmpty else { throw .noPluginType(module: ownModule) }
        guard types.count == 1 else { throw .severalPluginTypes(module: ownModule, types: types) }
        return types[0]
    }

    public func generate() throws(Failure) -> String {
        let pluginType = try pluginType()
        if let hostBuild { return try entryPoints(pluginType: pluginType, hostBuild: hostBuild) }

        var stageEntries: [String] = [], stageList: [String] = []
        for file in stageFiles.sorted(by: { $0.path < $1.path }) {
            let name = quoted(Self.fileName(file.path))
            stageEntries.append("        \(name): \(rawLiteral(file.text)),")
            for type in SwiftSourceScan.types(conformingTo: "Stage", in: file.text) {
                stageList.append("            EmbeddedStage(type: \(type).self, fileName: \(name), "
                    + "source: EmbeddedStageSources.byFileName[\(name)]!),")
            }
        }

        // The own module's dependencies are what its helper files reach, so a stage that calls
        // a helper is fingerprinted with what the helper calls. Without embedded libraries
        // they are the imports as written; the registry keeps those the host has sources of.
        let helperImports = helperFiles.reduce(into: Set<String>()) { $0.formUnion(SwiftSourceScan.importedModules(in: $1.text)) }
        let allImports = stageFiles.reduce(into: helperImports) { $0.formUnion(SwiftSourceScan.importedModules(in: $1.text)) }
        let ownDependencies = libraries.isEmpty
            ? helperImports.subtracting([ownModule]).sorted()
            : modulesReached(byImports: helperImports, in: libraries)
        let ownText = helperFiles.map { "// file: \(Self.fileName($0.path))\n\($0.text)" }.joined(separator: "\n")
        var sourceEntries = ["        \(quoted(ownModule)): \(rawLiteral(ownText)),"]
        var dependencyEntries = ["        \(quoted(ownModule)): [\(ownDependencies.map(quoted).joined(separator: ", "))],"]
        for name in modulesReached(byImports: allImports, in: libraries) {
            let module = libraries[name]!
            let text = module.files.map { "// file: \(Self.fileName($0.path))\n\($0.text)" }.joined(separator: "\n")
            sourceEntries.append("        \(quoted(name)): \(rawLiteral(text)),")
            let dependencies = module.dependencies.filter { libraries[$0] != nil }.sorted()
            dependencyEntries.append("        \(quoted(name)): [\(dependencies.map(quoted).joined(separator: ", "))],")
        }

        let generated = """
            // Generated by nbrun from the notebook's files. Do not edit.
            import NBRun

            enum EmbeddedStageSources {
                static let byFileName: [String: String] = \(Self.dictionaryLiteral(stageEntries))
                static let librarySources: [String: String] = \(Self.dictionaryLiteral(sourceEntries))
                static let libraryDependencies: [String: [String]] = \(Self.dictionaryLiteral(dependencyEntries))
                static let ownModule = \(quoted(ownModule))
            }

            extension \(pluginType) {
                public var stages: [EmbeddedStage] {
                    [
            \(stageList.joined(separator: "\n"))
                    ]
                }

                public var libraryCode: LibraryCode {
                    LibraryCode(ownModule: EmbeddedStageSources.ownModule, sources: EmbeddedStageSources.librarySources,
                                dependencies: EmbeddedStageSources.libraryDependencies)
                }
            }

            /// The notebook's plugin, for a test that runs its stages in-process.
            public enum \(ownModule)Registration {
                public static var plugin: any StagePlugin { \(pluginType)() }
            }

            """
        return generated
    }

    /// For a plugin nbrun compiles: the stage types and the C entry points, and nothing of
    /// the files' text, which nbrun read and hashed before compiling them and gives the
    /// registry itself. So this file changes only when a stage is added, renamed or removed,
    /// and an edit inside a stage recompiles that stage's file alone.
    func entryPoints(pluginType: String, hostBuild: String) throws(Failure) -> String {
        var stageList: [String] = []
        for file in stageFiles.sorted(by: { $0.path < $1.path }) {
            for type in SwiftSourceScan.types(conformingTo: "Stage", in: file.text) {
                stageList.append("            EmbeddedStage(type: \(type).self, fileName: \(quoted(file.path)), source: \"\"),")
            }
        }
        return """
            // Generated by nbrun from the notebook's files. Do not edit.
            import NBRun

            extension \(pluginType) {
                public var stages: [EmbeddedStage] {
                    [
            \(stageList.joined(separator: "\n"))
                    ]
                }

                public var libraryCode: LibraryCode { LibraryCode(ownModule: \(quoted(ownModule))) }
            }

            @_cdecl("\(Self.entrySymbol)")
            public func nbrunNotebookPlugin() -> UnsafeMutableRawPointer {
                Unmanaged.passRetained(StagePluginEntry(\(pluginType)())).toOpaque()
            }

            @_cdecl("\(Self.buildSymbol)")
            public func nbrunNotebookPluginBuild() -> UnsafePointer<UInt8> {
                (\(quoted(hostBuild)) as StaticString).utf8Start
            }

            """
    }

    static func fileName(_ path: String) -> String {
        String(path.split(separator: "/").last ?? Substring(path))
    }

    static func dictionaryLiteral(_ entries: [String]) -> String {
        entries.isEmpty ? "[:]" : "[\n" + entries.joined(separator: "\n") + "\n    ]"
    }
}
