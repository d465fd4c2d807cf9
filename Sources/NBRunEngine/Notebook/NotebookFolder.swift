import Foundation

/// Where a notebook's Swift code is. This is the one place that says it:
///
/// - `NAME.manifest` with a folder `NAME/` beside it: the code is the `.swift` files in that
///   folder and its subfolders (the repository's `Notebooks/LSTM.manifest` and `Notebooks/LSTM/`);
/// - otherwise, a manifest in a folder that holds a `Stages/` folder: the code is the `.swift`
///   files of that folder and its subfolders, so a notebook is one folder holding its manifest,
///   `Stages/` and any helper files (what `nbrun new NAME FOLDER` writes);
/// - otherwise the notebook has no code of its own (prose, or stages of the notebooks it uses).
///
/// Files under `Stages/` are stage files; every other file is a helper every stage may call.
/// The walk skips hidden entries, nbrun's output folders and, in a folder shared by several
/// manifests, the folders of the others.
public struct NotebookFolder: Sendable, Equatable {
    /// The manifest, as given (its folder is where relative paths in it resolve).
    public let manifestURL: URL
    /// Nil when the notebook has no code of its own.
    public let codeFolder: URL?
    /// The module its code compiles into: the manifest's name in letters and digits, then
    /// `Notebook` (`GRU-vs-LSTM.manifest` gives `GRUvsLSTMNotebook`).
    public let moduleName: String

    /// One Swift file of the notebook, read once: what is compiled is what is hashed.
    public struct SourceFile: Sendable, Equatable {
        /// Relative to the code folder (`Stages/TrainStage.swift`).
        public var relativePath: String
        public var url: URL
        public var text: String
        public var isStage: Bool { relativePath.hasPrefix("Stages/") }
    }

    /// Far more than a notebook needs; the caps bound what a hostile folder can cost.
    public static let maximumFiles = 1000
    public static let maximumFileSize = 1 << 20
    public static let maximumTotalSize = 16 << 20

    public init(manifest url: URL) {
        manifestURL = url
        let folder = url.deletingLastPathComponent()
        let stem = url.deletingPathExtension().lastPathComponent
        moduleName = Self.moduleName(forManifestNamed: stem)
        let sibling = folder.appendingPathComponent(stem, isDirectory: true)
        if FileKind.following(sibling.path) == .directory {
            codeFolder = sibling
        } else if FileKind.following(folder.appendingPathComponent("Stages").path) == .directory {
            codeFolder = folder
        } else {
            codeFolder = nil
        }
    }

    package static func moduleName(forManifestNamed stem: String) -> String {
        let letters = String(stem.unicodeScalars.filter { $0.isASCII && CharacterSet.alphanumerics.contains($0) })
        let start = letters.first.map { $0.isLetter } ?? false
        return (start ? letters : "N" + letters) + "Notebook"
    }

    /// The notebook's Swift files, sorted by path. Refuses, naming the path, a link that
    /// leads out of the folder, anything that is not a regular file, unreadable or non-UTF-8
    /// text, and a folder beyond the caps.
    public func sourceFiles() throws(NotebookCodeError) -> [SourceFile] {
        guard let codeFolder else { return [] }
        let root = codeFolder.resolvingSymlinksInPath().standardizedFileURL
        guard FileKind.of(root.path) == .directory else { throw .notAFolder(path: codeFolder.path) }
        let ownFolder = codeFolder.standardizedFileURL.path == manifestURL.deletingLastPathComponent().standardizedFileURL.path
        var files: [SourceFile] = []
        var total = 0
        var pending: [String] = [""]
        while let relative = pending.popLast() {
            let folder = relative.isEmpty ? root : root.appendingPathComponent(relative, isDirectory: true)
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path) } catch {
                throw .unreadable(path: folder.path, reason: error.localizedDescription)
            }
            if relative.isEmpty == false, names.contains(OutputFolder.markerName) { continue }
            for name in names.sorted() where !name.hasPrefix(".") {
                let path = relative.isEmpty ? name : relative + "/" + name
                let url = root.appendingPathComponent(path)
                var kind = FileKind.of(url.path)
                var readURL = url
                if kind == .symbolicLink {
                    let target = url.resolvingSymlinksInPath().standardizedFileURL
                    guard target.path.hasPrefix(root.path + "/") else {
                        // A link to data elsewhere is the user's business; Swift from elsewhere is refused.
                        guard name.hasSuffix(".swift") else { continue }
                        throw .linkOutOfFolder(path: codeFolder.appendingPathComponent(path).path, target: target.path)
                    }
                    kind = FileKind.of(target.path)
                    // A link to a folder inside the notebook is walked where it really is.
                    if kind == .directory { continue }
                    readURL = target
                }
                if kind == .directory {
                    if relative.isEmpty, ownFolder, Self.belongsToAnotherManifest(name, in: root, this: manifestURL) { continue }
                    pending.append(path)
                    continue
                }
                guard name.hasSuffix(".swift") else { continue }
                let shown = codeFolder.appendingPathComponent(path).path
                guard case .regular(let size) = kind else { throw .notARegularFile(path: shown, kind: kind.description) }
                guard size <= Self.maximumFileSize else { throw .tooLarge(path: shown, limit: Self.maximumFileSize) }
                total += size
                guard files.count < Self.maximumFiles, total <= Self.maximumTotalSize else {
                    throw .tooMuchCode(folder: codeFolder.path, files: Self.maximumFiles, bytes: Self.maximumTotalSize)
                }
                let data: Data
                do throws(StorageError) { data = try RegularFile.read(at: readURL, limit: Self.maximumFileSize) } catch {
                    throw .unreadable(path: shown, reason: error.description)
                }
                guard let text = String(data: data, encoding: .utf8) else { throw .notUTF8(path: shown) }
                files.append(SourceFile(relativePath: path, url: codeFolder.appendingPathComponent(path), text: text))
            }
        }
        return files.sorted { $0.relativePath < $1.relativePath }
    }

    /// `NAME/` beside `NAME.manifest`, other than this manifest: that folder is another
    /// notebook's code.
    static func belongsToAnotherManifest(_ name: String, in folder: URL, this manifest: URL) -> Bool {
        let other = folder.appendingPathComponent(name + ".manifest")
        return other.lastPathComponent != manifest.lastPathComponent && FileKind.following(other.path).isRegularFile
    }
}
