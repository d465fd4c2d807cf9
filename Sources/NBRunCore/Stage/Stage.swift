import Foundation

/// One kind of notebook stage, e.g. `lstm.train`.
///
/// A stage is stateless Swift code: everything it depends on arrives through its
/// context (resolved parameters, the verified artifacts of the stages it reads from),
/// and everything it produces leaves through it (artifacts, figures, printed output).
/// That is what lets the runner cache, skip and rerun it on its own.
public protocol Stage: Sendable {
    /// The stage's name within its plugin (`train`). Its kind, which a manifest uses, is
    /// `<plugin name>.<name>` (`lstm.train`): the prefix comes from the plugin.
    static var name: String { get }
    /// One line for `--help`-style listings and the report.
    static var summary: String { get }
    /// Every parameter the stage accepts, with type, default and description.
    static var parameters: [ParameterSpec] { get }

    init()

    /// Runs the stage. Throwing leaves the previous complete result of the stage in place.
    func run(_ context: StageContext) throws
}

/// A notebook's stages, compiled into the `nbrun` executable.
///
/// A notebook module declares one type conforming to this protocol with only its `name`;
/// the EmbedStageSources build plugin generates the rest from the module's sources: every
/// type under `Stages/` that conforms to ``Stage``, with its file, and the library code.
public protocol StagePlugin: Sendable {
    /// Prefix of the plugin's stage kinds (`lstm` for `lstm.train`).
    var name: String { get }
    /// Every stage of the plugin with the text of the file that declares it (generated).
    var stages: [EmbeddedStage] { get }
    /// The library code the plugin's stages call, so that editing it makes exactly the
    /// stages that reach it stale (generated).
    var libraryCode: LibraryCode { get }

    init()
}

/// A stage type and the file that declares it, exactly as compiled: its text feeds the
/// stage's fingerprint and is shown in the report.
public struct EmbeddedStage: Sendable {
    public var type: any Stage.Type
    public var fileName: String
    public var source: String

    public init(type: any Stage.Type, fileName: String, source: String) {
        self.type = type
        self.fileName = fileName
        self.source = source
    }
}

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
