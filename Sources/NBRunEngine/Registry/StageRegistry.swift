import Foundation

/// Every stage kind a run can name, gathered from the plugins of the notebooks it loaded.
public struct StageRegistry: Sendable {
    public struct Entry: Sendable {
        /// `<plugin name>.<stage name>`.
        public var kind: String
        public var stageType: any Stage.Type
        /// The file under the plugin's `Stages/` folder that declares the stage.
        public var fileName: String
        /// The stage file's text exactly as compiled.
        public var source: String
        public var pluginName: String
        /// The library modules the stage's fingerprint covers (see ``LibraryCode``).
        public var libraryModules: [String]
    }

    /// Module name → its sources as compiled, gathered from every plugin.
    public private(set) var librarySources: [String: String] = [:]

    public private(set) var entries: [String: Entry] = [:]

    /// A plugin's stages and code, as the registry takes them: from a plugin built into a
    /// test, or from a compiled notebook with the text nbrun read and compiled.
    public struct PluginCode: Sendable {
        public var name: String
        public var stages: [EmbeddedStage]
        public var libraryCode: LibraryCode

        public init(name: String, stages: [EmbeddedStage], libraryCode: LibraryCode) {
            self.name = name
            self.stages = stages
            self.libraryCode = libraryCode
        }

        public init(_ plugin: any StagePlugin) {
            self.init(name: plugin.name, stages: plugin.stages, libraryCode: plugin.libraryCode)
        }
    }

    public init(plugins: [any StagePlugin], libraries: LibraryCode = LibraryCode()) throws(RegistryError) {
        try self.init(code: plugins.map(PluginCode.init), libraries: libraries)
    }

    /// `libraries` is the library code nbrun was built with: a plugin compiled by nbrun
    /// embeds none, and its stages' fingerprints cover the libraries they reach.
    public init(code plugins: [PluginCode], libraries: LibraryCode = LibraryCode()) throws(RegistryError) {
        for plugin in plugins {
            let library = plugin.libraryCode.adding(libraries)
            librarySources.merge(library.sources) { first, _ in first }
            guard Self.isValidName(plugin.name) else { throw .invalidName(plugin.name, of: "a plugin") }
            for stage in plugin.stages {
                guard Self.isValidName(stage.type.name) else {
                    throw .invalidName(stage.type.name, of: "stage \(stage.type) of plugin '\(plugin.name)'")
                }
                let kind = plugin.name + "." + stage.type.name
                guard entries[kind] == nil else { throw .duplicateKind(kind) }
                entries[kind] = Entry(kind: kind, stageType: stage.type, fileName: stage.fileName, source: stage.source,
                                      pluginName: plugin.name, libraryModules: library.modules(usedBy: stage.source))
            }
        }
    }

    public var kinds: [String] { entries.keys.sorted() }

    /// The names a manifest can write without quoting and a shell without escaping.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    public subscript(kind: String) -> Entry? { entries[kind] }
}
