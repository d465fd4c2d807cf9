import ArgumentParser
import Foundation
import NBRunEngine

/// Options every manifest-reading subcommand shares.
struct ManifestOptions: ParsableArguments {
    @Argument(help: "The notebook manifest (YAML), e.g. Notebooks/LSTM.manifest.")
    var manifest: String

    @Option(help: ArgumentHelp("Output folder, overriding the manifest's 'output:'.", valueName: "dir"))
    var output: String?

    @Option(help: ArgumentHelp(
        "Folder of the variant cache, instead of <output>/.cache (e.g. on a file system shared by Slurm nodes).",
        valueName: "dir"))
    var cache: String?

    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Override a stage parameter for this run (repeatable); part of the cache key.",
        valueName: "stage.param=value"))
    var overrides: [String] = []

    func validate() throws {
        // `--output "$UNSET"` would otherwise mean the current folder.
        if let output, output.isEmpty { throw ValidationError(StorageError.emptyOutputPath.description) }
        if let cache, cache.isEmpty { throw ValidationError(CacheFolderError.emptyPath.description) }
        // Relative paths mean nothing once the working folder is gone (deleted or moved away).
        let relative = ([manifest] + [output, cache].compactMap { $0 }).filter { !$0.isEmpty && !$0.hasPrefix("/") }
        if let first = relative.first, !Self.workingFolderExists {
            throw ValidationError("the current folder no longer exists (it was deleted or moved), so '\(first)' names nothing; "
                + "cd to an existing folder or give absolute paths")
        }
    }

    static var workingFolderExists: Bool {
        guard let path = getcwd(nil, 0) else { return false }
        free(path)
        return true
    }

    /// The `--set` overrides, parsed (exit 2 with the message on a malformed one).
    func parsedOverrides() throws -> [ParameterOverride] {
        try overrides.map { text throws(ManifestError) in try ParameterOverride(parsing: text) }
    }

    var manifestURL: URL { URL(fileURLWithPath: manifest) }

    /// The manifest with the `--set` overrides applied (`overrides`, when the command parsed
    /// them already for something else, such as a sweep).
    func load(with runner: Runner, overrides given: [ParameterOverride]? = nil) throws -> Manifest {
        // An empty path would become the current folder: say what is wrong instead.
        guard !manifest.isEmpty else {
            throw CommandError.emptyManifestPath
        }
        do {
            let manifest = try runner.loadManifest(manifestURL, overrides: try given ?? parsedOverrides())
            try checkCache(for: manifest)
            return manifest
        } catch let error as RunError {
            throw CommandError.manifest(error)
        }
    }

    func runOptions() -> RunOptions {
        var options = RunOptions()
        options.outputDirectory = output.map { URL(fileURLWithPath: $0) }
        options.cacheDirectory = cache.map { URL(fileURLWithPath: $0).standardizedFileURL }
        return options
    }

    /// Creates the `--cache` folder and the folders above it (`mkdir -p`) for a run that
    /// writes: the cache's own code makes only its subfolders.
    func createCacheFolder() throws {
        guard let cacheDirectory = runOptions().cacheDirectory, !FileKind.of(cacheDirectory.path).exists else { return }
        do { try FileManager.default.createDirectory(at: cacheDirectory, withIntermediateDirectories: true) } catch {
            throw CommandError.cannotCreateCacheFolder(path: cacheDirectory.path, reason: Self.reason(creating: cacheDirectory, error))
        }
    }

    /// Why `mkdir -p` of `folder` failed, in words: Foundation's own message is only
    /// "NSCocoaErrorDomain error 512". Most often a path above it is not a folder.
    static func reason(creating folder: URL, _ error: any Error) -> String {
        var above = folder.deletingLastPathComponent()
        while above.path != "/", !FileKind.following(above.path).exists { above = above.deletingLastPathComponent() }
        let kind = FileKind.following(above.path)
        if kind != .directory { return "\(above.path) is \(kind.description), not a folder" }
        if let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return error.localizedDescription
    }

    /// `--cache DIR` is refused like a bad output folder: a link, a FIFO or a file, a folder
    /// holding what nbrun did not write, `/`, the home folder, a repository, the output folder.
    private func checkCache(for manifest: Manifest) throws {
        let options = runOptions()
        guard let cacheDirectory = options.cacheDirectory else { return }
        let current = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        try CacheFolderCheck.checkAll(cacheDirectory, manifest: manifest,
                                      outputDirectory: ArtifactStore(for: manifest, options: options).outputDirectory,
                                      currentDirectory: current)
    }
}
