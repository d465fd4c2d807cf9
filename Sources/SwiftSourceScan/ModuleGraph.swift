/// The package's library modules as the build plugin passed them: each with its Swift
/// files and the package modules it depends on (already transitive).
public struct LibraryModule: Sendable {
    public init(name: String, dependencies: [String], files: [(path: String, text: String)]) {
        self.name = name
        self.dependencies = dependencies
        self.files = files
    }

    public var name: String
    public var dependencies: [String]
    public var files: [(path: String, text: String)]
}

/// Which library modules a set of files reaches: the package modules they import, and
/// everything those depend on. This is how a helper file's imports become part of every
/// stage's fingerprint without the stage importing them itself.
public func modulesReached(byImports imports: Set<String>, in libraries: [String: LibraryModule]) -> [String] {
    var reached: Set<String> = []
    for name in imports {
        guard let module = libraries[name] else { continue }
        reached.insert(name)
        reached.formUnion(module.dependencies.filter { libraries[$0] != nil })
    }
    return reached.sorted()
}
