import Foundation
import SwiftSourceScan

/// The Swift sources of the modules a plugin's stages can call, as compiled.
///
/// A stage's fingerprint covers its own file, the plugin's own module (its helper files),
/// every module the stage file imports and every module the helper files import, each
/// with its dependencies. The plugin records the helper files' imports as the own module's
/// dependencies, so a stage that reaches a library only through a helper is still made
/// stale by an edit to it.
public struct LibraryCode: Sendable {
    /// The plugin's module, whose non-stage files every stage of the plugin may use.
    public var ownModule: String
    /// Module name → the text of its Swift files.
    public var sources: [String: String]
    /// Module name → the modules it depends on.
    public var dependencies: [String: [String]]

    public init(ownModule: String = "", sources: [String: String] = [:], dependencies: [String: [String]] = [:]) {
        self.ownModule = ownModule
        self.sources = sources
        self.dependencies = dependencies
    }

    /// This code, with the sources and dependencies of `other` for every module this code
    /// does not have itself (a plugin's own modules, then the host's libraries).
    public func adding(_ other: LibraryCode) -> LibraryCode {
        LibraryCode(ownModule: ownModule, sources: sources.merging(other.sources) { own, _ in own },
                    dependencies: dependencies.merging(other.dependencies) { own, _ in own })
    }

    /// The modules whose code a stage with this source depends on, sorted: those it and the
    /// helper files import, and everything they depend on, among the modules with sources.
    public func modules(usedBy stageSource: String) -> [String] {
        var pending = SwiftSourceScan.importedModules(in: stageSource).sorted()
        if sources[ownModule] != nil { pending.append(ownModule) }
        var used: Set<String> = []
        while let module = pending.popLast() {
            guard sources[module] != nil, used.insert(module).inserted else { continue }
            pending += dependencies[module] ?? []
        }
        return used.sorted()
    }
}
