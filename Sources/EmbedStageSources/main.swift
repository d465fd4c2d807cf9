import Foundation
import SwiftSourceScan

// Usage: EmbedStageSources OUTPUT.swift --own MODULE FILE... --stages FILE...
//                          [--module NAME DEPS FILE...]...
//        EmbedStageSources OUTPUT.swift --libraries [--module NAME DEPS FILE...]...
//   --own        the notebook's module and its helper files (everything not under Stages/);
//   --stages     the stage files;
//   --libraries  write `NotebookLibraries.code` instead: the sources nbrun embeds of the
//                libraries every notebook may import;
//   --module     a library module of the package, DEPS its package dependencies
//                (comma-separated, transitive, may be empty), then its files.
// For a notebook module, writes its registration (see `PluginRegistrationSource`).

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: EmbedStageSources: \(message)\n".utf8))
    exit(2)
}

func read(_ path: String) -> String {
    do { return try String(contentsOfFile: path, encoding: .utf8) } catch { fail("cannot read \(path): \(error)") }
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard !arguments.isEmpty else {
    fail("usage: EmbedStageSources OUTPUT (--own MODULE FILE... --stages FILE... | --libraries) [--module NAME DEPS FILE...]...")
}
let outputPath = arguments.removeFirst()

var ownModule = ""
var librariesOnly = false
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
    case "--libraries":
        librariesOnly = true
    case "--module":
        guard values.count >= 2 else { fail("--module needs a name and a dependency list") }
        libraries[values[0]] = LibraryModule(
            name: values[0], dependencies: values[1].split(separator: ",").map(String.init),
            files: values.dropFirst(2).map { ($0, read($0)) })
    default:
        fail("unknown argument \(flag)")
    }
}

let generated: String
if librariesOnly {
    generated = LibrarySourcesFile(libraries: libraries).generate()
} else {
    guard !ownModule.isEmpty else { fail("--own MODULE is required") }
    do {
        generated = try PluginRegistrationSource(ownModule: ownModule, helperFiles: helperFiles, stageFiles: stageFiles,
                                                 libraries: libraries).generate()
    } catch { fail(error.description) }
}

let output = URL(fileURLWithPath: outputPath)
let temporary = output.deletingLastPathComponent()
    .appendingPathComponent(".\(output.lastPathComponent).\(getpid()).tmp")
do { try Data(generated.utf8).write(to: temporary) } catch { fail("cannot write \(temporary.path): \(error)") }
if rename(temporary.path, output.path) != 0 { fail("cannot write \(outputPath)") }
