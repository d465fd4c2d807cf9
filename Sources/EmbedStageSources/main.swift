import Foundation

// Usage: EmbedStageSources OUTPUT.swift --own MODULE FILE... --stages FILE...
//                          [--module NAME DEPS FILE...]...
//   --own     the notebook's module and its helper files (everything not under Stages/);
//   --stages  the stage files;
//   --module  a library module of the package, DEPS its package dependencies (comma-separated,
//             transitive, may be empty), then its files.
// Writes, for the notebook module:
//   EmbeddedStageSources  the stage files' text by file name, the library sources the
//                         notebook reaches (per module), their dependencies and the own module,
//                         whose dependencies are the modules its helper files import;
//   an extension of the module's one `StagePlugin` type giving its stages (every type under
//   Stages/ conforming to `Stage`, with its file) and its library code;
//   `<MODULE>Registration.plugin`, which nbrun's generated registry instantiates.

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: EmbedStageSources: \(message)\n".utf8))
    exit(2)
}

func read(_ path: String) -> String {
    do { return try String(contentsOfFile: path, encoding: .utf8) } catch { fail("cannot read \(path): \(error)") }
}

func fileName(_ path: String) -> String { URL(fileURLWithPath: path).lastPathComponent }

var arguments = Array(CommandLine.arguments.dropFirst())
guard !arguments.isEmpty else { fail("usage: EmbedStageSources OUTPUT --own MODULE FILE... --stages FILE... [--module NAME DEPS FILE...]...") }
let outputPath = arguments.removeFirst()

var ownModule = ""
var helperFiles: [(path: String, text: String)] = []
var stageFiles: [(path: String, text: String)] = []
var libraries: [String: LibraryModule] = [:]
while let flag = arguments.first {
    arguments.removeFirst()
    let values = Array(arguments.prefix { !$0.hasPrefix("--") })
    arguments.removeFirst(values.count)
    switch flag {
    case "--own":
        guard let name = values.first else { fail("--own needs the module's name") }
        ownModule = name
        helperFiles = values.dropFirst().map { ($0, read($0)) }
    case "--stages":
        stageFiles = values.map { ($0, read($0)) }
    case "--module":
        guard values.count >= 2 else { fail("--module needs a name and a dependency list") }
        libraries[values[0]] = LibraryModule(
            name: values[0], dependencies: values[1].split(separator: ",").map(String.init),
            files: values.dropFirst(2).map { ($0, read($0)) })
    default:
        fail("unknown argument \(flag)")
    }
}
guard !ownModule.isEmpty else { fail("--own MODULE is required") }

// The plugin type: exactly one in the helper files.
let pluginTypes = helperFiles.flatMap { SwiftSourceScan.types(conformingTo: "StagePlugin", in: $0.text) }
guard pluginTypes.count == 1 else {
    fail(pluginTypes.isEmpty
         ? "\(ownModule) declares no type conforming to StagePlugin outside Stages/ (e.g. `struct \(ownModule)Plugin: StagePlugin { let name = \"prefix\" }`)"
         : "\(ownModule) declares several StagePlugin types (\(pluginTypes.joined(separator: ", "))); a notebook module has one")
}
let pluginType = pluginTypes[0]

// The stages, each with the file that declares it.
var stageEntries: [String] = [], stageList: [String] = []
for file in stageFiles.sorted(by: { $0.path < $1.path }) {
    stageEntries.append("        \(quoted(fileName(file.path))): \(rawLiteral(file.text)),")
    for type in SwiftSourceScan.types(conformingTo: "Stage", in: file.text) {
        stageList.append("            EmbeddedStage(type: \(type).self, fileName: \(quoted(fileName(file.path))), "
            + "source: EmbeddedStageSources.byFileName[\(quoted(fileName(file.path)))]!),")
    }
}

// Only the library modules some file of the notebook reaches are embedded; the own
// module's dependencies are those its helper files reach, so a stage that calls a helper
// is fingerprinted with what the helper calls.
let helperImports = helperFiles.reduce(into: Set<String>()) { $0.formUnion(SwiftSourceScan.importedModules(in: $1.text)) }
let allImports = stageFiles.reduce(into: helperImports) { $0.formUnion(SwiftSourceScan.importedModules(in: $1.text)) }
let ownDependencies = modulesReached(byImports: helperImports, in: libraries)
var sourceEntries = ["        \(quoted(ownModule)): \(rawLiteral(helperFiles.map { "// file: \(fileName($0.path))\n\($0.text)" }.joined(separator: "\n"))),"]
var dependencyEntries = ["        \(quoted(ownModule)): [\(ownDependencies.map(quoted).joined(separator: ", "))],"]
for name in modulesReached(byImports: allImports, in: libraries) {
    let module = libraries[name]!
    let text = module.files.map { "// file: \(fileName($0.path))\n\($0.text)" }.joined(separator: "\n")
    sourceEntries.append("        \(quoted(name)): \(rawLiteral(text)),")
    let dependencies = module.dependencies.filter { libraries[$0] != nil }.sorted()
    dependencyEntries.append("        \(quoted(name)): [\(dependencies.map(quoted).joined(separator: ", "))],")
}

func dictionaryLiteral(_ entries: [String]) -> String {
    entries.isEmpty ? "[:]" : "[\n" + entries.joined(separator: "\n") + "\n    ]"
}

let generated = """
    // Generated by EmbedStageSources at build time. Do not edit.
    import NBRunCore

    enum EmbeddedStageSources {
        static let byFileName: [String: String] = \(dictionaryLiteral(stageEntries))
        static let librarySources: [String: String] = \(dictionaryLiteral(sourceEntries))
        static let libraryDependencies: [String: [String]] = \(dictionaryLiteral(dependencyEntries))
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

    /// What nbrun's generated registry instantiates for this notebook.
    public enum \(ownModule)Registration {
        public static var plugin: any StagePlugin { \(pluginType)() }
    }

    """
let output = URL(fileURLWithPath: outputPath)
let temporary = output.deletingLastPathComponent()
    .appendingPathComponent(".\(output.lastPathComponent).\(getpid()).tmp")
do { try Data(generated.utf8).write(to: temporary) } catch { fail("cannot write \(temporary.path): \(error)") }
if rename(temporary.path, output.path) != 0 { fail("cannot write \(outputPath)") }
