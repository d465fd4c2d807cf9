import Foundation
import NBRunEngine

/// What a watched run reports about itself, computed in the run from what it loaded: the
/// watcher then watches exactly the files the run's fingerprints read.
public enum WatchedRunInputs {
    /// The manifests (the notebook's and those it uses), their code folders, the files and
    /// folders its path parameters name, and the output and cache folders it writes.
    public static func event(manifest: Manifest, options: RunOptions) -> RunEvent {
        let uses = (ProcessInfo.processInfo.environment["NBRUN_USES"] ?? "").split(separator: ":").map { URL(fileURLWithPath: String($0)) }
        let notebooks = (try? NotebookPlugins.notebooks(for: manifest.fileURL, alsoUsing: uses)) ?? [NotebookFolder(manifest: manifest.fileURL)]
        var data: [String] = []
        for stage in manifest.stages {
            for value in stage.parameters.values {
                if case .path(let path) = value {
                    data.append(ParameterValue.resolve(path: path, against: manifest.notebookDirectory).standardizedFileURL.path)
                }
            }
        }
        let store = ArtifactStore(for: manifest, options: options)
        return .inputs(manifests: notebooks.map { $0.manifestURL.standardizedFileURL.path },
                       codeFolders: notebooks.compactMap { $0.codeFolder?.standardizedFileURL.path },
                       dataPaths: Array(Set(data)).sorted(),
                       output: store.outputDirectory.standardizedFileURL.path, cache: store.cache.root.standardizedFileURL.path)
    }

    /// The command that runs one stage with this run's arguments, for the page and the
    /// terminal to show in place of a stage marked `watch: manual`.
    public static func manualCommand(stage: String, arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> String {
        var kept = arguments.filter { $0 != "--leave-manual-stages" }
        if kept.first == "run" { kept.removeFirst() }
        return (["nbrun"] + kept + ["--stage", stage]).map(ShellQuoting.quoted).joined(separator: " ")
    }
}

/// Words as a POSIX shell reads them back: plain when safe, else in single quotes.
public enum ShellQuoting {
    private static let plain = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")

    public static func quoted(_ word: String) -> String {
        if !word.isEmpty, word.unicodeScalars.allSatisfy(plain.contains) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
