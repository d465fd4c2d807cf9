import Foundation

/// Why a set of plugins cannot be registered together.
public enum RegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    case duplicateKind(String)
    case kindOutsidePlugin(kind: String, plugin: String)
    case missingSource(kind: String, fileName: String)

    public var description: String {
        switch self {
        case .duplicateKind(let kind):
            return "stage kind '\(kind)' is registered by more than one plugin"
        case .kindOutsidePlugin(let kind, let plugin):
            return "stage kind '\(kind)' does not start with its plugin's prefix '\(plugin).'"
        case .missingSource(let kind, let fileName):
            return "stage kind '\(kind)' names source file '\(fileName)', which its plugin did not embed (is it under Stages/?)"
        }
    }
}

/// Every stage kind nbrun knows, gathered from the plugins compiled into it. The core
/// knows no plugin by name: adding a notebook means adding one plugin to the list.
public struct StageRegistry: Sendable {
    public struct Entry: Sendable {
        public var stageType: any Stage.Type
        /// The stage file's text exactly as compiled.
        public var source: String
        public var pluginName: String
        /// The library modules the stage's fingerprint covers (see ``LibraryCode``).
        public var libraryModules: [String]
    }

    /// Module name → its sources as compiled, gathered from every plugin.
    public private(set) var librarySources: [String: String] = [:]

    public private(set) var entries: [String: Entry] = [:]

    public init(plugins: [any StagePlugin]) throws(RegistryError) {
        for plugin in plugins {
            let library = plugin.libraryCode
            librarySources.merge(library.sources) { first, _ in first }
            for stageType in plugin.stages {
                let kind = stageType.kind
                guard kind.hasPrefix(plugin.name + ".") else {
                    throw .kindOutsidePlugin(kind: kind, plugin: plugin.name)
                }
                guard entries[kind] == nil else { throw .duplicateKind(kind) }
                guard let source = plugin.stageSources[stageType.sourceFileName] else {
                    throw .missingSource(kind: kind, fileName: stageType.sourceFileName)
                }
                entries[kind] = Entry(stageType: stageType, source: source, pluginName: plugin.name,
                                      libraryModules: library.modules(usedBy: source))
            }
        }
    }

    public var kinds: [String] { entries.keys.sorted() }

    public subscript(kind: String) -> Entry? { entries[kind] }
}
