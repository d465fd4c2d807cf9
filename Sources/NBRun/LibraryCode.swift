import Foundation

/// The Swift sources of the modules a plugin's stages can call, as compiled.
///
/// A stage's fingerprint covers its own file, the plugin's own module (its helper files),
/// every module the stage file imports and every module the helper files import, each
/// with its dependencies within the package. The EmbedStageSources plugin records the
/// helper files' modules as the own module's dependencies, so a stage that reaches a
/// library only through a helper is still made stale by an edit to it.
public struct LibraryCode: Sendable {
    /// The plugin's module, whose non-stage files every stage of the plugin may use.
    public var ownModule: String
    /// Module name → the text of its Swift files.
    public var sources: [String: String]
    /// Module name → the package modules it depends on, directly or not.
    public var dependencies: [String: [String]]

    public init(ownModule: String = "", sources: [String: String] = [:], dependencies: [String: [String]] = [:]) {
        self.ownModule = ownModule
        self.sources = sources
        self.dependencies = dependencies
    }

    /// The modules whose code a stage with this source depends on, sorted.
    public func modules(usedBy stageSource: String) -> [String] {
        var used: Set<String> = sources[ownModule] == nil ? [] : [ownModule]
        for module in Self.importedModules(in: stageSource) where sources[module] != nil {
            used.insert(module)
        }
        for module in used {
            used.formUnion((dependencies[module] ?? []).filter { sources[$0] != nil })
        }
        return used.sorted()
    }

    /// Names after `import` (with any attributes or import kind) at the start of a line.
    static func importedModules(in source: String) -> [String] {
        source.split(separator: "\n").compactMap { line -> String? in
            var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })[...]
            while let first = words.first, first.hasPrefix("@") { words = words.dropFirst() }
            guard words.first == "import", words.count >= 2 else { return nil }
            var name = words.dropFirst().first!
            let kinds: Set<Substring> = ["struct", "class", "enum", "protocol", "typealias", "func", "var", "let"]
            if kinds.contains(name), words.count >= 3 { name = words.dropFirst(2).first! }
            return String(name.prefix { $0 != "." && $0 != ";" })
        }
    }
}
