import AtomicFiles
import Crypto
import Foundation
import SwiftSourceScan

/// Compiles a notebook folder's Swift code into a shared library that nbrun loads, once per
/// content: the library is kept under the hash of the files' text and of the nbrun build
/// (``NotebookToolkit/buildID``), so nothing is compiled when nothing changed, and a plugin
/// built for another nbrun is never loaded.
///
/// What is compiled is the text that was read and hashed, copied into the notebook's build
/// folder; each copy starts with a `#sourceLocation` line, so the compiler's messages name the
/// file, line and column in the notebook's folder. Two nbruns compiling one notebook take
/// turns on its build folder's lock: the second finds the first one's library when its turn
/// comes. A library is moved into place whole, so no run ever loads a half-written one.
public struct NotebookPluginCompiler: Sendable {
    public var toolkit: NotebookToolkit
    /// Where compiled notebooks are kept (``defaultCacheFolder(environment:)``).
    public var cacheFolder: URL
    /// False where compiling is not allowed (a Slurm task loads what the submission compiled).
    public var mayCompile = true
    /// Told when a compile starts, and when it must wait for another nbrun's.
    public var log: @Sendable (String) -> Void = { _ in }

    public init(toolkit: NotebookToolkit, cacheFolder: URL) {
        self.toolkit = toolkit
        self.cacheFolder = cacheFolder
    }

    /// `NBRUN_PLUGIN_CACHE`, else `$XDG_CACHE_HOME/nbrun/plugins`, else `~/.cache/nbrun/plugins`.
    public static func defaultCacheFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let chosen = environment["NBRUN_PLUGIN_CACHE"], !chosen.isEmpty { return URL(fileURLWithPath: chosen) }
        if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") {
            return URL(fileURLWithPath: cache).appendingPathComponent("nbrun/plugins")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".cache/nbrun/plugins")
    }

    /// A compiled notebook: its library and what it was compiled from.
    public struct Compiled: Sendable {
        public var library: URL
        public var module: String
        public var key: String
        /// True when this call compiled it (false: it was already there).
        public var compiledNow: Bool
        /// What it was compiled from.
        public var files: [NotebookFolder.SourceFile]
    }

    /// The notebook's compiled library, compiling it first when needed; nil for a notebook
    /// without code.
    public func compile(_ notebook: NotebookFolder) throws(NotebookCodeError) -> Compiled? {
        let files = try notebook.sourceFiles()
        guard !files.isEmpty, let codeFolder = notebook.codeFolder else { return nil }
        let key = Self.key(module: notebook.moduleName, files: files, buildID: toolkit.buildID)
        let name = "\(notebook.moduleName)-\(key)"
        let folder = cacheFolder.appendingPathComponent(name, isDirectory: true)
        let library = folder.appendingPathComponent("lib\(notebook.moduleName).so")
        if isComplete(folder, library: library) {
            rememberLastGood(name, of: notebook)
            return Compiled(library: library, module: notebook.moduleName, key: key, compiledNow: false, files: files)
        }
        guard mayCompile else {
            throw .cannotLoad(path: library.path, reason: "it was not compiled before this job started, and a job does not compile")
        }
        try createCacheFolder()
        // One build at a time per notebook folder: it owns the folder's build state.
        let lockURL = URL(fileURLWithPath: buildFolder(for: notebook).path + ".lock")
        let lock: LockFile
        do {
            try? FileManager.default.createDirectory(at: lockURL.deletingLastPathComponent(), withIntermediateDirectories: true)
            lock = try LockFile(lockURL.path, in: AT_FDCWD, path: lockURL.path)
            if try !lock.tryLock(.exclusive) {
                log("waiting for another nbrun compiling \(codeFolder.path)…")
                try lock.waitForLock(.exclusive, every: 20_000, cancellation: nil, interruptedPath: folder.path)
            }
        } catch { throw .cannotStore(path: folder.path, reason: error.description) }
        defer { lock.release() }
        if isComplete(folder, library: library) {
            return Compiled(library: library, module: notebook.moduleName, key: key, compiledNow: false, files: files)
        }
        log("compiling \(codeFolder.path) (\(files.count) Swift file\(files.count == 1 ? "" : "s"))…")
        try build(notebook, files: files, into: folder, library: library)
        rememberLastGood(name, of: notebook)
        return Compiled(library: library, module: notebook.moduleName, key: key, compiledNow: true, files: files)
    }

    /// The notebook's last code that compiled: its library and the files it was compiled from,
    /// for a report that shows the last good results when an edit does not compile.
    public func lastGood(_ notebook: NotebookFolder) -> Compiled? {
        let record = buildFolder(for: notebook).appendingPathComponent(Self.lastGoodName)
        guard let data = try? RegularFile.read(at: record, limit: 256), let name = String(data: data, encoding: .utf8),
              name.hasPrefix(notebook.moduleName + "-"), !name.contains("/") else { return nil }
        let folder = cacheFolder.appendingPathComponent(name, isDirectory: true)
        let library = folder.appendingPathComponent("lib\(notebook.moduleName).so")
        guard isComplete(folder, library: library),
              let sources = try? RegularFile.read(at: folder.appendingPathComponent(Self.sourcesName), limit: NotebookFolder.maximumTotalSize * 2),
              let texts = try? JSONDecoder().decode([String: String].self, from: sources) else { return nil }
        let files = texts.keys.sorted().map { path in
            NotebookFolder.SourceFile(relativePath: path, url: notebook.codeFolder!.appendingPathComponent(path), text: texts[path]!)
        }
        return Compiled(library: library, module: notebook.moduleName, key: String(name.dropFirst(notebook.moduleName.count + 1)),
                        compiledNow: false, files: files)
    }

    static let lastGoodName = "last-good"
    /// The files a library was compiled from, beside it.
    static let sourcesName = "sources.json"

    private func rememberLastGood(_ name: String, of notebook: NotebookFolder) {
        let record = buildFolder(for: notebook).appendingPathComponent(Self.lastGoodName)
        if (try? RegularFile.read(at: record, limit: 256)) == Data(name.utf8) { return }
        try? FileManager.default.createDirectory(at: record.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? AtomicFile.write(Data(name.utf8), to: record)
    }

    static let layout = "2: a rewritten copy's object is removed before compiling"

    static func key(module: String, files: [NotebookFolder.SourceFile], buildID: String) -> String {
        var hash = SHA256()
        // `layout` changes when how a folder is compiled changes, so that no library compiled
        // the earlier way is reused.
        hash.update(data: Data("\(buildID)\0\(module)\0\(layout)\0".utf8))
        for file in files {
            hash.update(data: Data("\(file.relativePath)\0\(file.text.utf8.count)\0".utf8))
            hash.update(data: Data(file.text.utf8))
        }
        return hash.finalize().prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// A folder this nbrun completed: its library, and the build it was compiled for.
    private func isComplete(_ folder: URL, library: URL) -> Bool {
        guard FileKind.of(folder.path) == .directory, FileKind.of(library.path).isRegularFile else { return false }
        let stamp = try? RegularFile.read(at: folder.appendingPathComponent(Self.buildStampName), limit: 256)
        return stamp.flatMap { String(data: $0, encoding: .utf8) } == toolkit.buildID
    }

    static let buildStampName = "nbrun-build"

    private func createCacheFolder() throws(NotebookCodeError) {
        do { try FileManager.default.createDirectory(at: cacheFolder, withIntermediateDirectories: true) } catch {
            throw .cannotStore(path: cacheFolder.path, reason: error.localizedDescription)
        }
        guard FileKind.following(cacheFolder.path) == .directory else {
            throw .cannotStore(path: cacheFolder.path, reason: "it is \(FileKind.following(cacheFolder.path)), not a folder")
        }
    }

    /// Compiles in the notebook folder's own build folder (kept between runs, so the
    /// compiler's incremental mode recompiles only the files an edit touched), then moves a
    /// copy of the library into its keyed folder.
    private func build(_ notebook: NotebookFolder, files: [NotebookFolder.SourceFile], into folder: URL, library: URL)
        throws(NotebookCodeError)
    {
        let codeFolder = notebook.codeFolder!
        let registration: String
        do {
            registration = try PluginRegistrationSource(
                ownModule: notebook.moduleName,
                helperFiles: files.filter { !$0.isStage }.map { ($0.relativePath, $0.text) },
                stageFiles: files.filter(\.isStage).map { ($0.relativePath, $0.text) },
                hostBuild: toolkit.buildID).generate()
        } catch { throw .registration(folder: codeFolder.path, reason: error.description) }

        let build = buildFolder(for: notebook)
        let sources = build.appendingPathComponent("sources", isDirectory: true)
        let objects = build.appendingPathComponent("objects", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: sources, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: objects, withIntermediateDirectories: true)
        } catch { throw .cannotStore(path: build.path, reason: error.localizedDescription) }

        // The copies: what was read, starting with a line that maps the compiler's messages
        // back to the file in the notebook's folder. A copy is rewritten only when its text
        // changed, and then its object and dependency record go too: the compiler tells what
        // changed by the files' times, and a copy rewritten soon after the last build (a save
        // right after a run, under `nbrun watch`) was once taken as unchanged, so the old
        // object was linked and stored under the new text's key.
        var inputs: [(name: String, text: String)] = files.map { file in
            (Self.copyName(file.relativePath), "#sourceLocation(file: \(Self.stringLiteral(file.url.path)), line: 1)\n" + file.text)
        }
        inputs.append(("nbrun%registration.swift", registration))
        for input in inputs {
            let copy = sources.appendingPathComponent(input.name)
            if (try? Data(contentsOf: copy)) == Data(input.text.utf8) { continue }
            do { try AtomicFile.write(Data(input.text.utf8), to: copy) } catch {
                throw .cannotStore(path: copy.path, reason: "\(error)")
            }
            let stem = objects.appendingPathComponent(Self.objectStem(input.name)).path
            for outdated in [stem + ".o", stem + ".swiftdeps"] { unlink(outdated) }
        }
        let current = Set(inputs.map(\.name))
        for stale in (try? FileManager.default.contentsOfDirectory(atPath: sources.path)) ?? [] where !current.contains(stale) {
            try? FileManager.default.removeItem(at: sources.appendingPathComponent(stale))
        }

        var map: [String: [String: String]] = ["": ["swift-dependencies": objects.appendingPathComponent("module.swiftdeps").path]]
        for input in inputs {
            let stem = objects.appendingPathComponent(Self.objectStem(input.name)).path
            map[sources.appendingPathComponent(input.name).path] = ["object": stem + ".o", "swift-dependencies": stem + ".swiftdeps"]
        }
        let mapURL = build.appendingPathComponent("output-file-map.json")
        do { try AtomicFile.write(try JSONSerialization.data(withJSONObject: map, options: [.sortedKeys]), to: mapURL) } catch {
            throw .cannotStore(path: mapURL.path, reason: "\(error)")
        }

        let output = build.appendingPathComponent(library.lastPathComponent)
        try? FileManager.default.removeItem(at: output)
        let arguments = toolkit.arguments(module: notebook.moduleName, files: inputs.map { sources.appendingPathComponent($0.name) },
                                          output: output)
            + ["-incremental", "-output-file-map", mapURL.path, "-j", "\(max(1, ProcessInfo.processInfo.activeProcessorCount))",
               // Its own place for the module the driver merges, rather than a temporary name
               // that two builds could both pick.
               "-emit-module-path", build.appendingPathComponent("\(notebook.moduleName).swiftmodule").path]
        let (status, diagnostics) = Self.run(toolkit.swiftc, arguments, in: build)
        guard status == 0, FileKind.of(output.path).isRegularFile else {
            throw .compileFailed(folder: codeFolder.path, diagnostics: Self.readable(diagnostics, status: status))
        }

        // The keyed folder is made whole beside its place, then moved there.
        let staging = cacheFolder.appendingPathComponent(".staging-\(folder.lastPathComponent)-\(getpid())", isDirectory: true)
        do {
            try? FileManager.default.removeItem(at: staging)
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: output, to: staging.appendingPathComponent(library.lastPathComponent))
            let texts = Dictionary(uniqueKeysWithValues: files.map { ($0.relativePath, $0.text) })
            try JSONEncoder().encode(texts).write(to: staging.appendingPathComponent(Self.sourcesName))
            try Data(toolkit.buildID.utf8).write(to: staging.appendingPathComponent(Self.buildStampName))
            // A folder left by a run of another build, or an unfinished one, is replaced whole.
            if FileKind.of(folder.path) != .missing { try FileManager.default.removeItem(at: folder) }
            try FileManager.default.moveItem(at: staging, to: folder)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw .cannotStore(path: folder.path, reason: error.localizedDescription)
        }
    }

    /// The build folder of one notebook folder: its module name and a hash of its real path.
    func buildFolder(for notebook: NotebookFolder) -> URL {
        let path = notebook.codeFolder!.resolvingSymlinksInPath().standardizedFileURL.path
        let hash = SHA256.hash(data: Data(path.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        return cacheFolder.appendingPathComponent("builds/\(notebook.moduleName)-\(hash)", isDirectory: true)
    }

    /// One flat, unique file name per path in the notebook (`Stages/Plot.swift` is
    /// `copy%Stages%2FPlot.swift`), never the file's own name: the compiler would see the copy
    /// and the file it stands for as two files of one `#fileID`.
    static func copyName(_ relativePath: String) -> String {
        "copy%" + relativePath.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "/", with: "%2F")
    }

    /// An object file's name: the copy's name, without the characters a linker's command
    /// line could misread, and a hash that keeps two such names apart.
    static func objectStem(_ name: String) -> String {
        let letters = String(name.unicodeScalars.filter { $0.isASCII && CharacterSet.alphanumerics.contains($0) }.prefix(40))
        let hash = SHA256.hash(data: Data(name.utf8)).prefix(4).map { String(format: "%02x", $0) }.joined()
        return "\(letters)-\(hash)"
    }

    /// A path as a Swift string literal.
    static func stringLiteral(_ text: String) -> String {
        var literal = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": literal += "\\\""
            case "\\": literal += "\\\\"
            case "\n": literal += "\\n"
            case "\r": literal += "\\r"
            case "\t": literal += "\\t"
            default: literal.unicodeScalars.append(scalar)
            }
        }
        return literal + "\""
    }

    /// The compiler's messages, without the lines about our private copies' folder.
    static func readable(_ diagnostics: String, status: Int32) -> String {
        let text = diagnostics.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "swiftc exited with status \(status) and printed nothing" : text
    }

    /// Runs a command to its end; its standard output and error, together.
    static func run(_ executable: URL, _ arguments: [String], in folder: URL) -> (Int32, String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (-1, "cannot run \(executable.path): \(error.localizedDescription)") }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return (status, String(decoding: output, as: UTF8.self))
    }
}
