import ArgumentParser
import Foundation
import NBRunEngine
import NBRunSweep
import NBRunWatch

/// What a command finds wrong before the engine takes over.
enum CommandError: Error, CustomStringConvertible {
    /// An empty path would become the current folder, so it is refused by name.
    case emptyManifestPath
    case noSuchManifest(path: String)
    case notAManifest(path: String, kind: String)
    /// Loading the manifest failed, which is only ever over what the user gave.
    case manifest(RunError)
    case cannotCreateCacheFolder(path: String, reason: String)

    var description: String {
        switch self {
        case .emptyManifestPath: "the manifest path is empty; give the path of a manifest file"
        case .noSuchManifest(let path): "\(path): no such manifest file"
        case .notAManifest(let path, let kind): "\(path) is \(kind), not a manifest file"
        case .manifest(let error): error.description
        case .cannotCreateCacheFolder(let path, let reason): "cannot create the cache folder \(path): \(reason)"
        }
    }
}

/// The exit status of every failure, in one place: 2 when what the user gave is wrong (the
/// manifest, an option, a `--set`, a `--stage`, a sweep, a cache folder, a notebook's name
/// or folder), 130 when the run was interrupted, 1 when something went wrong while doing it
/// (a stage, the disk, the compiler, Slurm).
enum ExitStatus {
    static func of(_ error: any Error) -> Int32? {
        switch error {
        case let error as CommandError:
            if case .cannotCreateCacheFolder = error { 1 } else { 2 }
        case SlurmError.stoppedWaiting: 130
        case is ManifestError, is SweepError, is CacheFolderError, is RegistryError, is ScaffoldError: 2
        case let error as NotebookCodeError:
            if case .compileFailed = error { 1 } else { 2 }
        case let error as RunError: of(error)
        case let error as SweepFailure:
            switch error {
            case .run(let error): of(error)
            case .sweep: 2
            case .slurm(.stoppedWaiting): 130
            case .slurm: 1
            }
        case is StorageError, is SlurmError, is LiveServerError, is ChildRunError: 1
        default: nil
        }
    }

    static func of(_ error: RunError) -> Int32 {
        switch error {
        case .manifest, .unknownStage: 2
        case .interrupted: 130
        default: 1
        }
    }
}

/// Runs a command body; a failure of nbrun's is printed with its message and ends the
/// command with its ``ExitStatus``.
func reportingFailures<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error where ExitStatus.of(error) != nil {
        printError(String(describing: error))
        throw ExitCode(ExitStatus.of(error)!)
    }
}

/// `nbrun: error: …` on standard error, control characters escaped as the console escapes
/// them: a message quotes names and paths as given, and they must not drive the terminal.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("nbrun: error: \(Console.lines(message))\n".utf8))
}
