import Crypto
import Foundation

/// What nbrun compiles a notebook's code with: the Swift compiler, and the module
/// interfaces of the author API and libraries this nbrun was built with (prebuilt and
/// optimized, so editing a notebook never recompiles the kernels).
///
/// An installed nbrun (`Scripts/install`) finds them beside itself, in
/// `<prefix>/lib/nbrun/`; an nbrun run from its build folder finds the modules in that folder
/// and the C module maps in the sources it was built from.
public struct NotebookToolkit: Sendable {
    public var swiftc: URL
    /// The `.swiftmodule` files of `NBRun` and the libraries.
    public var modules: URL
    /// Folders of the C module maps the libraries' interfaces name (zlib, libpng, the prefetch hint).
    public var includeFolders: [URL]
    /// Optimized when nbrun itself is, so a stage's own hot loop runs at the kernels' speed;
    /// `NBRUN_PLUGIN_OPTIMIZE=0` compiles notebooks unoptimized (to step through in a debugger).
    public var optimize: Bool
    /// Identifies the interface a plugin is compiled against: the libraries' sources as
    /// compiled into this nbrun, and the compiler. A plugin built for another is rebuilt.
    public var buildID: String

    /// The C modules the libraries import in their public interface.
    static let cModules = ["CPrefetch", "CZlib", "CLibPNG"]

    public static func locate(libraries: LibraryCode, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(NotebookCodeError) -> NotebookToolkit
    {
        let executable = runningExecutable
        let binFolder = executable.deletingLastPathComponent()
        let installed = binFolder.deletingLastPathComponent().appendingPathComponent("lib/nbrun")
        let modules: URL, includes: [URL], recordedCompiler: String?
        if FileKind.following(installed.appendingPathComponent("Modules/NBRun.swiftmodule").path).isRegularFile {
            modules = installed.appendingPathComponent("Modules")
            includes = cModules.map { installed.appendingPathComponent("include/\($0)") }
            recordedCompiler = (try? String(contentsOf: installed.appendingPathComponent("swiftc-path"), encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
        } else if FileKind.following(binFolder.appendingPathComponent("Modules/NBRun.swiftmodule").path).isRegularFile {
            modules = binFolder.appendingPathComponent("Modules")
            includes = cModules.map { sourceRoot.appendingPathComponent("Sources/\($0)") }
            recordedCompiler = nil
        } else {
            throw .noToolkit(reason: "no NBRun.swiftmodule in \(installed.path)/Modules or \(binFolder.path)/Modules; "
                + "install nbrun with Scripts/install, or run it from its build folder")
        }
        guard let swiftc = compiler(environment: environment, recorded: recordedCompiler) else {
            throw .noToolkit(reason: "no Swift compiler found (set NBRUN_SWIFTC, or put swiftc on PATH)")
        }
        #if DEBUG
        var optimize = false
        #else
        var optimize = true
        #endif
        if let chosen = environment["NBRUN_PLUGIN_OPTIMIZE"], ["0", "1"].contains(chosen) { optimize = chosen == "1" }
        var hash = SHA256()
        hash.update(data: Data("nbrun-plugin-1\0\(optimize)\0".utf8))
        hash.update(data: Data(compilerIdentity(swiftc).utf8))
        for module in libraries.sources.keys.sorted() {
            hash.update(data: Data("\0\(module)\0".utf8))
            hash.update(data: Data(libraries.sources[module]!.utf8))
        }
        let buildID = hash.finalize().map { String(format: "%02x", $0) }.joined().prefix(16)
        return NotebookToolkit(swiftc: swiftc, modules: modules, includeFolders: includes, optimize: optimize,
                               buildID: String(buildID))
    }

    /// This process's executable, links resolved.
    static var runningExecutable: URL {
        #if os(Linux)
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        #else
        (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath()
        #endif
    }

    /// The package folder this nbrun was built from (for a build-folder nbrun's C module maps).
    static var sourceRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `NBRUN_SWIFTC`, then the compiler the installer recorded, then `swiftc` on `PATH`,
    /// then the toolchain's usual place.
    static func compiler(environment: [String: String], recorded: String?) -> URL? {
        var candidates: [String] = []
        if let chosen = environment["NBRUN_SWIFTC"], !chosen.isEmpty { candidates.append(chosen) }
        if let recorded, !recorded.isEmpty { candidates.append(recorded) }
        for folder in (environment["PATH"] ?? "").split(separator: ":") { candidates.append("\(folder)/swiftc") }
        candidates.append("/opt/swift/usr/bin/swiftc")
        return candidates.lazy.map { URL(fileURLWithPath: $0) }.first { access($0.path, X_OK) == 0 && !FileKind.following($0.path).isDirectory }
    }

    /// The compiler's real path, size and modification time: a different compiler gives
    /// different module files, without running it to ask its version.
    static func compilerIdentity(_ swiftc: URL) -> String {
        let real = swiftc.resolvingSymlinksInPath().path
        var info = stat()
        guard stat(real, &info) == 0 else { return real }
        return "\(real)\0\(info.st_size)\0\(info.st_mtim.tv_sec)"
    }

    /// The arguments that compile `files` into the shared library `output`.
    func arguments(module: String, files: [URL], output: URL) -> [String] {
        var arguments = ["-parse-as-library", "-emit-library", "-module-name", module, "-swift-version", "6",
                         optimize ? "-O" : "-Onone", "-I", modules.path]
        for folder in includeFolders { arguments += ["-I", folder.path] }
        // As the libraries are built: without it every SIMD lane of a stage's own loop
        // becomes a scalar call.
        if optimize { arguments += ["-Xcc", "-march=native"] }
        // Line tables, so a trap names the stage's file and line.
        arguments.append("-g")
        arguments += ["-o", output.path]
        return arguments + files.map(\.path)
    }
}
