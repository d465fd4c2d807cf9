import AtomicFiles
import Foundation

/// nbrun's claim on an output folder, and the one place that decides what in it is nbrun's.
///
/// A notebook is a file people share and download, and its `output:` may name any folder.
/// So nbrun marks each output folder it creates (or adopts while empty) with a small file,
/// `.nbrun-output`, and every later write, replace or delete checks that mark first: a
/// folder without it is somebody else's, and nbrun neither writes into it nor deletes
/// from it. Inside a marked folder only the names listed in ``ownEntries`` and the
/// manifest's stage folders are nbrun's; anything else is left alone.
public struct OutputFolder: Sendable {
    public let url: URL

    public init(url: URL) {
        self.url = url
    }

    /// The marker's name; its presence (a regular file with a known format) means "nbrun's".
    public static let markerName = ".nbrun-output"
    /// The marker's format is the folder's layout: 2 keeps every variant in `.cache` and
    /// shows the last run's in the stage folders; 1 (and folders from before the marker)
    /// held one result per stage and is migrated by the next run (``LayoutMigration``).
    static let layoutFormat = 2
    static let legacyLayoutFormat = 1
    public static let lockName = ".lock"
    /// The variant cache's folder, when a run does not name another one.
    public static let cacheName = ".cache"
    /// The run lock of runs that keep their variants in another folder (`--cache`).
    static let runningName = ".running"
    /// What a sweep writes beside the report: its table, its chart, and on Slurm the folder
    /// of its record and logs. Named here, with every other entry of the folder, so that the
    /// engine refuses a stage of the same name and `clean` removes them.
    public static let sweepReportName = "sweep.md"
    public static let sweepChartName = "sweep.png"
    public static let slurmFolderName = "slurm"

    /// What nbrun keeps at one of its own names: a file or a folder.
    public enum EntryKind: Sendable {
        case file
        case folder
    }

    /// Every top-level name nbrun writes in an output folder besides the stage folders. `clean`,
    /// adoption, the checks before a run and the report writers all use this one list, so a
    /// new kind of output (another report format) is added here and nowhere else.
    public static let ownEntries: [(name: String, kind: EntryKind)] = [
        (markerName, .file), (lockName, .file),
        ("report.md", .file), ("report.html", .file), ("report-assets", .folder),
        (sweepReportName, .file), (sweepChartName, .file), (slurmFolderName, .folder),
        (".staging", .folder), (".trash", .folder), (".resume", .folder), (cacheName, .folder), (runningName, .folder),
    ]

    /// nbrun's private work folders: everything inside them is nbrun's own.
    static let workFolders: Set<String> = [".staging", ".trash", ".resume", cacheName, runningName]

    /// Whether a stage named `name` would collide with one of nbrun's own entries.
    public static func isReserved(_ name: String) -> Bool {
        ownEntries.contains { $0.name == name }
    }

    /// What `.nbrun-output` holds. The format names the layout, so a run recognises and
    /// migrates folders written in an earlier one (see ``LayoutMigration``).
    struct Marker: Codable {
        var format: Int
        var createdBy: String
        var createdAt: Date
        /// False when nbrun adopted a folder that already existed (empty): `clean` then
        /// leaves the folder itself, which was never nbrun's to delete.
        var createdFolder: Bool
    }

    /// Where the folder stands, before nbrun writes anything into it.
    public enum State: Sendable, Equatable {
        case missing
        /// Marked by nbrun.
        case owned
        /// Exists and holds nothing (at most a lock file, or a marker being written, of another nbrun).
        case empty
        /// Unmarked, but holds only what nbrun writes, with at least one stage record or one of
        /// nbrun's work folders (names no other tool uses): the output of an nbrun from before
        /// the marker existed. A lone `report.md` is not enough; it may well be the user's.
        case unmarkedNBRunOutput
        /// Holds something nbrun did not write (these entries).
        case foreign(entries: [String])
        /// Is not a folder at all (a link, a file, …).
        case notAFolder(FileKind)
    }

    public func state(stageNames: Set<String>) -> State {
        let kind = FileKind.of(url.path)
        guard kind.isDirectory else { return kind == .missing ? .missing : .notAFolder(kind) }
        if Self.isMarked(url) { return .owned }
        guard let names = NoFollowRemoval.entries(ofFolderAt: url.path) else {
            // Removed since (a run taking back a folder it claimed for nothing).
            return FileKind.of(url.path) == .missing ? .missing : .notAFolder(kind)
        }
        var foreign: [String] = []
        var sawNBRunTrace = false
        for name in names {
            let child = url.appendingPathComponent(name)
            let childKind = FileKind.of(child.path)
            // Gone since the listing (another nbrun's lock or marker, taken back): nothing there.
            if childKind == .missing { continue }
            if let own = Self.ownEntries.first(where: { $0.name == name }) {
                if (own.kind == .file) == childKind.isRegularFile, (own.kind == .folder) == childKind.isDirectory {
                    if Self.workFolders.contains(name) { sawNBRunTrace = true }
                    continue
                }
            } else if Self.isTemporaryFile(name), childKind.isRegularFile {
                continue
            } else if stageNames.contains(name), childKind.isDirectory,
                      FileKind.of(child.appendingPathComponent(ArtifactStore.recordFileName).path).isRegularFile {
                sawNBRunTrace = true
                continue
            }
            foreign.append(childKind.isDirectory ? name + "/" : name)
        }
        if foreign.isEmpty {
            // Another nbrun starting at the same moment may have its lock and a half-written
            // marker here already: still nothing but nbrun's.
            if names.allSatisfy({ $0 == Self.lockName || AtomicFile.isTemporaryName($0, for: Self.markerName) }) { return .empty }
            // A marker that appeared (or went) since the check above: as it is now.
            if names.allSatisfy({ $0 == Self.lockName || $0 == Self.markerName || AtomicFile.isTemporaryName($0, for: Self.markerName) }) {
                return Self.isMarked(url) ? .owned : .empty
            }
            if sawNBRunTrace { return .unmarkedNBRunOutput }
        }
        return .foreign(entries: foreign.isEmpty ? names : foreign)
    }

    /// True when `folder` carries a readable marker of a known format.
    public static func isMarked(_ folder: URL) -> Bool {
        readMarker(folder).map { ($0.format == legacyLayoutFormat || $0.format == layoutFormat) } ?? false
    }

    private static func readMarker(_ folder: URL) -> Marker? {
        let marker = folder.appendingPathComponent(markerName)
        guard case .regular(let size) = FileKind.of(marker.path), size <= 4096,
              let data = try? RegularFile.read(at: marker, limit: 4096) else { return nil }
        return try? markerDecoder().decode(Marker.self, from: data)
    }

    /// The layout the marker names (nil for a folder without a readable marker).
    func layoutFormat() -> Int? {
        Self.readMarker(url)?.format
    }

    /// Marks the folder as being in the current layout, keeping when and how it was first claimed.
    func upgradeMarker() throws(StorageError) {
        let old = Self.readMarker(url)
        try writeMarker(createdFolder: old?.createdFolder ?? false, createdAt: old?.createdAt ?? Date(), format: Self.layoutFormat)
    }

    /// Makes the folder nbrun's: creates and marks a missing one, marks an empty one or an
    /// unmarked nbrun output, and refuses anything else before writing a byte. A run does this
    /// in two steps, ``prepareClaim(stageNames:)`` before it takes the output lock and
    /// ``mark(stageNames:createdFolder:)`` once it holds it.
    public func claim(stageNames: Set<String>) throws(StorageError) {
        try mark(stageNames: stageNames, createdFolder: try prepareClaim(stageNames: stageNames))
    }


    /// What may happen before the output lock is held (the lock file lives in the folder):
    /// refuses a foreign folder or a non-folder, and creates a missing one. True when this
    /// call created it (its own `mkdir`, not another process's). No marker is written here:
    /// two processes claiming a new folder at once would race to write it (one recording the
    /// folder as adopted, so that `clean` left it), and a marker written without the lock may
    /// be taken for a killed writer's temporary file by the lock's holder.
    func prepareClaim(stageNames: Set<String>) throws(StorageError) -> Bool {
        switch state(stageNames: stageNames) {
        case .owned, .empty, .unmarkedNBRunOutput:
            return false
        case .missing:
            let parent = url.deletingLastPathComponent()
            do { try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true) } catch {
                throw .cannotCreate(path: url.path, reason: (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription)
            }
            if mkdir(url.path, 0o755) == 0 { return true }
            guard errno == EEXIST else { throw .cannotCreate(path: url.path, reason: String(cString: strerror(errno))) }
            // Another process made it a moment ago: take it as it is now.
            _ = try prepareClaim(stageNames: stageNames)
            return false
        case .foreign(let entries):
            throw .foreignOutputFolder(path: url.path, entries: entries)
        case .notAFolder(let kind):
            throw .unexpectedEntry(path: url.path, kind: kind.description, expected: "the output folder")
        }
    }

    /// Marks the folder, under the output lock. `createdFolder` says this process created it
    /// (``prepareClaim(stageNames:)``): then the marker says so even if another process,
    /// finding the folder empty first, marked it as adopted.
    func mark(stageNames: Set<String>, createdFolder: Bool) throws(StorageError) {
        switch state(stageNames: stageNames) {
        case .owned:
            if createdFolder, !self.createdFolder() {
                try writeMarker(createdFolder: true, createdAt: Self.readMarker(url)?.createdAt ?? Date(), format: layoutFormat() ?? Self.layoutFormat)
            }
        case .empty:
            if createdFolder { try writeMarker(createdFolder: true) } else { try writeAdoptedMarkerIfNone() }
        case .unmarkedNBRunOutput:
            // Written before the marker existed, so in the layout of one result per stage.
            try writeMarker(createdFolder: true, format: Self.legacyLayoutFormat)
        case .missing:
            throw .cannotCreate(path: url.path, reason: "it was removed while nbrun was claiming it")
        case .foreign(let entries):
            throw .foreignOutputFolder(path: url.path, entries: entries)
        case .notAFolder(let kind):
            throw .unexpectedEntry(path: url.path, kind: kind.description, expected: "the output folder")
        }
        guard access(url.path, W_OK | X_OK) == 0 else {
            throw .cannotWrite(path: url.path, reason: "the output folder is not writable")
        }
    }

    /// Undoes a claim that came to nothing (a run that failed before writing anything else):
    /// when the folder holds only the marker and the lock, both are unlinked, and the folder
    /// itself too when `created` (this process made it). Anything else there, and all stays.
    /// Call holding the lock.
    ///
    /// `lockFolders` (`.cache`, `.running`) may be there too when they hold only `locks/` with
    /// only the run lock's two files: the caller holds those locks alone (no other run).
    func removeIfOnlyClaimed(created: Bool, lockFolders: Set<String> = []) {
        guard let names = NoFollowRemoval.entries(ofFolderAt: url.path),
              Set(names).subtracting(lockFolders) == [Self.markerName, Self.lockName] else { return }
        for name in lockFolders.intersection(names) {
            let locks = url.appendingPathComponent(name).appendingPathComponent("locks")
            guard NoFollowRemoval.entries(ofFolderAt: url.appendingPathComponent(name).path) == ["locks"],
                  let files = NoFollowRemoval.entries(ofFolderAt: locks.path),
                  Set(files).isSubset(of: [RunLock.fileName, RunLock.gateName]),
                  files.allSatisfy({ FileKind.of(locks.appendingPathComponent($0).path).isRegularFile }) else { return }
        }
        if created, removeWhole(lockFolders: lockFolders.intersection(names)) { return }
        // The user's folder stays. The marker goes first, while the lock still guards it; then
        // the lock, after which this process touches nothing here: a run waiting on the lock
        // finds it unlinked and claims afresh, and a marker it writes is its own.
        let folder = open(url.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard folder >= 0 else { return }
        defer { close(folder) }
        guard NoFollowRemoval.unlinkFile(Self.markerName, in: folder) else { return }
        for name in lockFolders.intersection(names) { Self.removeLockFolder(url.appendingPathComponent(name)) }
        _ = NoFollowRemoval.unlinkFile(Self.lockName, in: folder)
    }

    /// Moves a folder this process created out of the way in one `rename`, while holding its
    /// lock, and then empties and removes it under the name it moved to. A run that opened
    /// or waits on the lock file then finds it no longer at the folder's name and claims a
    /// new folder; none can put its lock file into this one between the last unlink and the
    /// `rmdir`, where it would be left holding a folder with no marker. The name it moves to
    /// is an empty folder `mkdtemp` made for it, which `rename` replaces, so nothing there is
    /// overwritten. False when that fails (the folder then stays as it is).
    private func removeWhole(lockFolders: Set<String>) -> Bool {
        var template = Array((url.deletingLastPathComponent().path + "/.\(url.lastPathComponent).unclaimed-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else { return false }
        let aside = URL(fileURLWithPath: String(cString: made))
        guard rename(url.path, aside.path) == 0 else {
            rmdir(aside.path)
            return false
        }
        for name in lockFolders { Self.removeLockFolder(aside.appendingPathComponent(name)) }
        for name in [Self.lockName, Self.markerName] { unlink(aside.appendingPathComponent(name).path) }
        rmdir(aside.path)
        return true
    }

    /// Removes `<folder>/locks/` holding only the run lock's files, and then `folder`.
    private static func removeLockFolder(_ folder: URL) {
        let locks = folder.appendingPathComponent("locks")
        for file in [RunLock.fileName, RunLock.gateName] { unlink(locks.appendingPathComponent(file).path) }
        rmdir(locks.path)
        rmdir(folder.path)
    }

    private static func markerDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// Whether nbrun created the folder itself (rather than adopting an empty one), as the marker says.
    func createdFolder() -> Bool {
        Self.readMarker(url)?.createdFolder ?? false
    }

    private func markerData(createdFolder: Bool, createdAt: Date = Date(), format: Int = OutputFolder.layoutFormat) throws(StorageError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let marker = Marker(format: format, createdBy: "nbrun", createdAt: createdAt, createdFolder: createdFolder)
        guard let data = try? encoder.encode(marker) else {
            throw .cannotWrite(path: url.appendingPathComponent(Self.markerName).path, reason: "marker cannot be encoded")
        }
        return data
    }

    private func writeMarker(createdFolder: Bool, createdAt: Date = Date(), format: Int = OutputFolder.layoutFormat) throws(StorageError) {
        let data = try markerData(createdFolder: createdFolder, createdAt: createdAt, format: format)
        do { try AtomicFile.write(data, to: url.appendingPathComponent(Self.markerName)) } catch {
            throw StorageError(error)
        }
    }

    /// Writes an "adopted" marker only where none is yet (a complete file linked in, which
    /// fails if one appeared): a run that created the folder and marked it "created" a moment
    /// before, without this run's lock, must not be overwritten. Called under the lock.
    private func writeAdoptedMarkerIfNone() throws(StorageError) {
        let marker = url.appendingPathComponent(Self.markerName).path
        let data = try markerData(createdFolder: false)
        // Named as the atomic writer names its temporaries, so a reader takes it for one.
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        let temporary = url.appendingPathComponent("." + Self.markerName + "." + String((0..<6).map { _ in alphabet.randomElement()! })).path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else { throw .cannotWrite(path: marker, reason: String(cString: strerror(errno))) }
        let written = data.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        defer { unlink(temporary) }
        guard written == data.count, synced else { throw .cannotWrite(path: marker, reason: "the marker could not be written") }
        guard link(temporary, marker) == 0 || errno == EEXIST else {
            throw .cannotWrite(path: marker, reason: String(cString: strerror(errno)))
        }
    }

    /// Checks, before a run changes anything, that each of nbrun's own names holds what nbrun
    /// put there: a link at `.trash` or `.lock`, or a FIFO at `report.md`, would otherwise be
    /// emptied, truncated or written through. Inside the work folders, each entry must be a
    /// folder as nbrun makes them.
    public func checkOwnEntries() throws(StorageError) {
        for own in Self.ownEntries {
            let path = url.appendingPathComponent(own.name).path
            let kind = FileKind.of(path)
            guard kind.exists else { continue }
            let expected = own.kind == .file ? "its file \(own.name)" : "its folder \(own.name)"
            guard own.kind == .file ? kind.isRegularFile : kind.isDirectory else {
                throw .unexpectedEntry(path: path, kind: kind.description, expected: expected)
            }
            guard Self.workFolders.contains(own.name) else { continue }
            for name in NoFollowRemoval.entries(ofFolderAt: path) ?? [] {
                let child = path + "/" + name
                let childKind = FileKind.of(child)
                guard childKind.isDirectory || childKind == .missing else {
                    throw .unexpectedEntry(path: child, kind: childKind.description, expected: "a work folder in \(own.name)")
                }
            }
        }
    }

    /// Whether `name` is a temporary file of an atomic write of one of nbrun's top-level files.
    static func isTemporaryFile(_ name: String) -> Bool {
        ownEntries.contains { $0.kind == .file && AtomicFile.isTemporaryName(name, for: $0.name) }
    }

    /// Removes what a run killed during an atomic write of a top-level file left behind
    /// (`.report.md.XXXXXX`): only regular files named as the atomic writer names them,
    /// never a link. Returns the paths removed. Call only while holding the lock.
    func removeStaleTemporaryFiles() -> [String] {
        let folder = open(url.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard folder >= 0 else { return [] }
        defer { close(folder) }
        var removed: [String] = []
        for name in (try? NoFollowRemoval.entries(of: folder, path: url.path)) ?? [] where Self.isTemporaryFile(name) {
            if NoFollowRemoval.unlinkFile(name, in: folder) { removed.append(url.appendingPathComponent(name).path) }
        }
        return removed
    }
}
