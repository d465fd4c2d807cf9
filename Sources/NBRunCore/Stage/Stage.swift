import Foundation

/// One kind of notebook stage, e.g. `lstm.train`.
///
/// A stage is stateless Swift code: everything it depends on arrives through its
/// context (resolved parameters, the verified artifacts of the stages it reads from),
/// and everything it produces leaves through it (artifacts, figures, printed output).
/// That is what lets the runner cache, skip and rerun it on its own.
public protocol Stage: Sendable {
    /// The name a manifest uses for this stage kind, `plugin.stage` (e.g. `lstm.train`).
    static var kind: String { get }
    /// One line for `--help`-style listings and the report.
    static var summary: String { get }
    /// Every parameter the stage accepts, with type, default and description.
    static var parameters: [ParameterSpec] { get }
    /// The file name, under the plugin's `Stages/` folder, that holds this stage's code.
    /// Its embedded text feeds the fingerprint and is shown in the report.
    static var sourceFileName: String { get }

    init()

    /// Runs the stage. Throwing leaves the previous complete result of the stage in place.
    func run(_ context: StageContext) throws
}

/// A named group of stage kinds, compiled into the `nbrun` executable.
public protocol StagePlugin: Sendable {
    /// Prefix of the plugin's stage kinds (`lstm` for `lstm.train`).
    var name: String { get }
    var stages: [any Stage.Type] { get }
    /// The Swift source of each stage file, by file name (generated at build time by
    /// the EmbedStageSources plugin as `EmbeddedStageSources.byFileName`).
    var stageSources: [String: String] { get }
    /// The library code the plugin's stages call, so that editing it makes exactly the
    /// stages that import it stale. Generated with the stage sources: return
    /// `LibraryCode(ownModule: EmbeddedStageSources.ownModule, sources:
    /// EmbeddedStageSources.librarySources, dependencies: EmbeddedStageSources.libraryDependencies)`.
    var libraryCode: LibraryCode { get }
}

extension StagePlugin {
    /// No library code: only the stage files themselves are fingerprinted.
    public var libraryCode: LibraryCode { LibraryCode() }
}

/// The Swift sources of the modules a plugin's stages can call, as compiled.
///
/// A stage's fingerprint covers its own file, the plugin's own module (its helper files)
/// and every module the stage file imports, with their dependencies within the package.
///
/// The plugin's own module's dependencies are not followed: the EmbedStageSources plugin
/// records none for it, so a library module that only the plugin's helper files import is
/// not in any stage's fingerprint. A stage must therefore import each library module it
/// relies on, even one it only reaches through the plugin's helpers.
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
