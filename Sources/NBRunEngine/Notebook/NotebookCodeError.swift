import Foundation

/// Why a notebook's code cannot be compiled or loaded, naming the file at fault.
public enum NotebookCodeError: Error, Sendable, Equatable, CustomStringConvertible {
    case notAFolder(path: String)
    case unreadable(path: String, reason: String)
    case linkOutOfFolder(path: String, target: String)
    case notARegularFile(path: String, kind: String)
    case tooLarge(path: String, limit: Int)
    case tooMuchCode(folder: String, files: Int, bytes: Int)
    case notUTF8(path: String)
    case registration(folder: String, reason: String)
    /// The compiler's own messages, each with the file, line and column in the notebook's folder.
    case compileFailed(folder: String, diagnostics: String)
    case noToolkit(reason: String)
    case cannotStore(path: String, reason: String)
    case cannotLoad(path: String, reason: String)
    case wrongBuild(path: String, built: String, running: String)
    case usedNotebookNotFound(manifest: String, entry: String, path: String)
    case sameModule(module: String, first: String, second: String)

    /// The compiler's messages, when that is what failed.
    public var compilerDiagnostics: String? {
        if case .compileFailed(_, let diagnostics) = self { diagnostics } else { nil }
    }

    public var description: String {
        switch self {
        case .notAFolder(let path): return "\(path) is not a folder, so it cannot hold a notebook's code"
        case .unreadable(let path, let reason): return "cannot read \(path): \(reason)"
        case .linkOutOfFolder(let path, let target):
            return "\(path) is a symbolic link to \(target), outside the notebook's folder; "
                + "nbrun compiles only code inside the folder: copy the file in instead"
        case .notARegularFile(let path, let kind):
            return "\(path) is \(kind), not a Swift file nbrun can compile"
        case .tooLarge(let path, let limit):
            return "\(path) is larger than \(limit) bytes, the limit for one Swift file of a notebook"
        case .tooMuchCode(let folder, let files, let bytes):
            return "\(folder) holds more than \(files) Swift files or \(bytes) bytes of Swift, the limit for a notebook"
        case .notUTF8(let path): return "\(path) is not UTF-8 text"
        case .registration(let folder, let reason): return "the notebook in \(folder): \(reason)"
        case .compileFailed(let folder, let diagnostics):
            return "the notebook's code in \(folder) does not compile:\n\(diagnostics)"
        case .noToolkit(let reason): return "cannot compile notebooks: \(reason)"
        case .cannotStore(let path, let reason): return "cannot store the compiled notebook at \(path): \(reason)"
        case .cannotLoad(let path, let reason): return "cannot load the compiled notebook \(path): \(reason)"
        case .wrongBuild(let path, let built, let running):
            return "\(path) was compiled for nbrun build \(built), not for this one (\(running))"
        case .usedNotebookNotFound(let manifest, let entry, let path):
            return "\(manifest): 'uses: \(entry)' names \(path), which is not a notebook manifest"
        case .sameModule(let module, let first, let second):
            return "\(first) and \(second) would both compile into a module named \(module); rename one of the manifests"
        }
    }
}
