import AtomicFiles
import Foundation

/// The on-disk layout of one notebook's outputs (see ``OutputFolder`` for which of these
/// nbrun may write, replace or delete):
///
///     <output>/.nbrun-output       the ownership marker
///     <output>/<stage>/            committed artifacts + record.json (written last)
///     <output>/.staging/<stage>-<pid>/   a stage's outputs while it runs
///     <output>/.trash/<stage>-<pid>/     the previous result during the swap
///     <output>/.resume/<stage>-<fingerprint>/   checkpoints that survive a failed or killed run
///     <output>/.lock               the advisory run lock
///     <output>/report.md
///     <output>/.cache/             every variant ever computed, by fingerprint (``VariantCache``)
///
/// `<output>/<stage>/` is the view of the last run's variant: its files are hard links to
/// the cached variant's, so it costs no space and every path a user knows keeps working.
/// A commit renames the old folder aside, renames the new one in, then deletes the old:
/// a crash between the two renames is repaired by `recoverInterruptedCommits()`, so a
/// reader always finds either the old complete result or the new one.
public struct ArtifactStore: Sendable {
    public let outputDirectory: URL
    /// Where variants are kept: `<output>/.cache` unless a run names another folder.
    public let cache: VariantCache

    public init(outputDirectory: URL, cacheDirectory: URL? = nil) {
        self.outputDirectory = outputDirectory
        self.cache = VariantCache(root: cacheDirectory ?? outputDirectory.appendingPathComponent(OutputFolder.cacheName, isDirectory: true))
    }

    /// Where a run of `manifest` with `options` writes, resolved here only, so that a run,
    /// `clean`, the `--cache` check and `watch` agree: `--output`, else the manifest's
    /// `output:`, else `output/<manifest name>` in the current folder; `--cache`, else the
    /// output folder's `.cache`.
    public init(for manifest: Manifest, options: RunOptions) {
        self.init(outputDirectory: manifest.outputDirectory(override: options.outputDirectory, currentDirectory: options.currentDirectory),
                  cacheDirectory: options.cacheDirectory)
    }

    /// Whether variants are kept in the output folder's own `.cache` (no `--cache` elsewhere).
    var usesOwnCache: Bool {
        cache.root.standardizedFileURL.path == ownCache.root.standardizedFileURL.path
    }

    /// The output folder's own cache location, whatever `--cache` this store names.
    var ownCache: VariantCache { VariantCache(root: outputDirectory.appendingPathComponent(OutputFolder.cacheName, isDirectory: true)) }

    /// `<output>/.running`: where runs keeping variants in another folder hold a ``RunLock``
    /// shared for their whole life, so that `clean` of this folder (which removes it whole),
    /// whatever `--cache` it names, waits for them too.
    var runningLockRoot: URL { outputDirectory.appendingPathComponent(OutputFolder.runningName, isDirectory: true) }

    public enum RecordState: Sendable {
        case missing
        case damaged(reason: String)
        case present(StageRecord)
    }

    static let recordFileName = StageContext.recordFileName

    var stagingRoot: URL { outputDirectory.appendingPathComponent(".staging") }
    var trashRoot: URL { outputDirectory.appendingPathComponent(".trash") }
    public var lockURL: URL { outputDirectory.appendingPathComponent(".lock") }

    public func stageDirectory(_ stage: String) -> URL {
        outputDirectory.appendingPathComponent(stage, isDirectory: true)
    }

    /// One folder per variant, not per stage: two processes computing different variants of
    /// a stage at the same time must not resume from, or overwrite, each other's checkpoints.
    /// (The same variant is computed by one process at a time, under its ``FingerprintLock``.)
    public func resumeDirectory(_ stage: String, fingerprint: String) -> URL {
        outputDirectory.appendingPathComponent(".resume").appendingPathComponent("\(stage)-\(fingerprint)", isDirectory: true)
    }

    public func recordURL(_ stage: String) -> URL {
        stageDirectory(stage).appendingPathComponent(Self.recordFileName)
    }

    /// The ownership checks for this store's output folder.
    public var folder: OutputFolder { OutputFolder(url: outputDirectory) }

    /// Largest `record.json` read: a record holds a stage's printed output, which is
    /// bounded by what a stage prints, never by its artifacts.
    static let recordSizeLimit = 64 << 20

    /// Largest artifact size a record may claim (256 TiB): a bound for adding sizes up.
    static let largestArtifactSize = 1 << 48

    public func loadRecord(_ stage: String) -> RecordState {
        Self.loadRecord(in: recordFolder(stage), stage: stage)
    }

    /// The record in `folder` (a stage folder, a work folder or a cached variant), checked
    /// to be of this format, of `stage`, and to name only plain files inside the folder.
    static func loadRecord(in folder: URL, stage: String) -> RecordState {
        let url = folder.appendingPathComponent(Self.recordFileName)
        guard FileKind.of(url.path).exists else { return .missing }
        let data: Data
        do { data = try RegularFile.read(at: url, limit: Self.recordSizeLimit) } catch {
            return .damaged(reason: error.description)
        }
        do {
            let record = try StageRecord.decoder().decode(StageRecord.self, from: data)
            guard record.format == StageRecord.currentFormat, record.stage == stage else {
                return .damaged(reason: "\(url.path) is from another format or stage")
            }
            // A name with '/' or '..' would make verification (and clean) reach outside the folder.
            let names = record.artifacts.map(\.name) + record.figures.map(\.name)
            if let bad = names.first(where: { !StageContext.isValidArtifactName($0) }) {
                return .damaged(reason: "\(url.path) is damaged (names '\(bad)', which is not a file inside its folder)")
            }
            // `runs` and `gc` add sizes up: one no disk holds would overflow the sums.
            if let bad = record.artifacts.first(where: { !(0...Self.largestArtifactSize).contains($0.size) }) {
                return .damaged(reason: "\(url.path) is damaged (records \(bad.size) bytes for '\(bad.name)')")
            }
            return .present(record)
        } catch {
            return .damaged(reason: "\(url.path) is damaged (\(Self.decodingSummary(error)))")
        }
    }

    /// Where a stage's committed result is: its folder, or, while a commit interrupted
    /// between its two renames awaits repair, the folder the next run will move in (so
    /// `status` reports what the next run will find rather than "never run").
    func recordFolder(_ stage: String) -> URL {
        let committed = stageDirectory(stage)
        if FileKind.of(committed.path) == .missing, let pending = pendingRestore(stage) { return pending }
        return committed
    }

    /// The folder `recoverInterruptedCommits` would move in as `stage`'s result, if any:
    /// a complete staging folder first, else the previous result set aside in the trash.
    func pendingRestore(_ stage: String) -> URL? {
        for root in [stagingRoot, trashRoot] {
            for name in NoFollowRemoval.entries(ofFolderAt: root.path) ?? [] where Self.stage(ofWorkFolder: name) == stage {
                let folder = root.appendingPathComponent(name)
                if FileKind.of(folder.path).isDirectory,
                   FileKind.of(folder.appendingPathComponent(Self.recordFileName).path).isRegularFile {
                    return folder
                }
            }
        }
        return nil
    }

    /// `square-4242` → `square`: work folders are named `<stage>-<pid>`.
    static func stage(ofWorkFolder name: String) -> String? {
        guard let dash = name.lastIndex(of: "-"), name[name.index(after: dash)...].allSatisfy(\.isNumber),
              dash != name.startIndex, name.index(after: dash) != name.endIndex else { return nil }
        return String(name[..<dash])
    }

    /// `square-4242` → 4242.
    static func pid(ofWorkFolder name: String) -> pid_t? {
        guard Self.stage(ofWorkFolder: name) != nil, let dash = name.lastIndex(of: "-") else { return nil }
        return pid_t(name[name.index(after: dash)...])
    }

    static func decodingSummary(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted: return "not valid JSON"
        case DecodingError.keyNotFound(let key, _): return "missing '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "bad value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "unreadable"
        }
    }

    /// Fast check used to decide freshness without reading artifacts: each exists, as a
    /// regular file (never a link planted in its place), with its recorded size.
    public func quickCheck(_ record: StageRecord, in variantFolder: URL? = nil) -> String? {
        let folder = variantFolder ?? recordFolder(record.stage)
        for artifact in record.artifacts {
            let url = folder.appendingPathComponent(artifact.name)
            switch FileKind.of(url.path) {
            case .missing:
                return "artifact \(url.path) is missing"
            case .regular(let size):
                if size != artifact.size { return "artifact \(url.path) has \(size) bytes, recorded \(artifact.size)" }
            case let other:
                return "artifact \(url.path) is \(other.description), not the file nbrun wrote"
            }
        }
        return nil
    }

    /// Full check: every artifact's size and SHA-256 against the record, in the stage's view
    /// or in `folder` (the cached variant a stage reads).
    public func verify(_ record: StageRecord, in folder: URL? = nil) -> StorageError? {
        for artifact in record.artifacts {
            let url = (folder ?? stageDirectory(record.stage)).appendingPathComponent(artifact.name)
            guard FileKind.of(url.path).exists else { return .artifactMissing(path: url.path) }
            let hash: String
            do { hash = try ContentHash.ofFile(at: url) } catch { return error }
            if hash != artifact.sha256 {
                return .artifactMismatch(path: url.path, expected: "SHA-256 \(artifact.sha256.prefix(12))…", found: "\(hash.prefix(12))…")
            }
        }
        return nil
    }

    /// Refuses a stage folder that a commit would replace but that is not nbrun's result: a
    /// link, a file, or a folder holding anything its `record.json` does not list (a user's
    /// folder that happens to be named like a stage). An empty folder is fine. When the
    /// record is damaged, its artifacts are unknown, so only regular files are accepted.
    public func checkReplaceable(_ stage: String) throws(StorageError) {
        let folder = stageDirectory(stage)
        let kind = FileKind.of(folder.path)
        guard kind.exists else { return }
        guard kind.isDirectory else { throw .foreignStageFolder(path: folder.path, reason: "it is \(kind.description)") }
        let names = NoFollowRemoval.entries(ofFolderAt: folder.path) ?? []
        if names.isEmpty { return }
        guard FileKind.of(folder.appendingPathComponent(Self.recordFileName).path).isRegularFile else {
            throw .foreignStageFolder(path: folder.path, reason: "it has no \(Self.recordFileName)")
        }
        var listed: Set<String>?
        if case .present(let record) = loadRecord(stage) { listed = Set(record.artifacts.map(\.name)) }
        let foreign = names.compactMap { name -> String? in
            guard name != Self.recordFileName else { return nil }
            let kind = FileKind.of(folder.appendingPathComponent(name).path)
            guard kind.isRegularFile else { return "\(name) (\(kind.description))" }
            return listed.map { $0.contains(name) ? nil : name } ?? nil
        }
        if !foreign.isEmpty {
            throw .foreignStageFolder(path: folder.path, reason: "it holds \(foreign.joined(separator: ", ")), not written there by nbrun")
        }
    }

    /// A fresh, empty staging folder for a stage run by this process. `forView` names the
    /// folder a view is assembled in (`<stage>.view-<pid>`; stage names never hold a '.'),
    /// apart from the one a stage computes into: two runs in one process may do both at once.
    public func makeStagingDirectory(_ stage: String, forView: Bool = false) throws(StorageError) -> URL {
        let url = stagingRoot.appendingPathComponent("\(stage)\(forView ? ".view" : "")-\(getpid())", isDirectory: true)
        try NoFollowRemoval.removeTree(atPath: url.path)
        // Another nbrun, finishing while this one starts a stage, may remove the staging root
        // it found empty between the two calls: make it again, once.
        for attempt in 0..<2 {
            try makeWorkFolder(stagingRoot)
            if mkdir(url.path, 0o755) == 0 { return url }
            if errno != ENOENT || attempt == 1 { break }
        }
        throw .cannotCreate(path: url.path, reason: String(cString: strerror(errno)))
    }

    /// Creates one of the work folders directly inside the output folder, refusing anything
    /// but a real folder already there.
    private func makeWorkFolder(_ url: URL) throws(StorageError) {
        for _ in 0..<8 {
            guard mkdir(url.path, 0o755) == 0 || errno == EEXIST else { break }
            let kind = FileKind.of(url.path)
            // There a moment ago, gone now: another nbrun removed it as empty. Make it again.
            if kind == .missing { continue }
            guard kind.isDirectory else {
                throw .unexpectedEntry(path: url.path, kind: kind.description, expected: "its folder \(url.lastPathComponent)")
            }
            return
        }
        throw .cannotCreate(path: url.path, reason: String(cString: strerror(errno)))
    }

    /// Writes `record` into `staging` and keeps the result in the variant cache; the folder
    /// is left for the caller to remove. A run does this under the variant's
    /// ``FingerprintLock`` only, so that other processes computing other variants go on; the
    /// output folder's view is brought in line at the end of the run, under the output lock.
    public func commitToCache(staging: URL, record: StageRecord, writer: any FileWriting) throws(StorageError) {
        let encoded: Data
        do { encoded = try StageRecord.encoder().encode(record) } catch {
            throw .cannotWrite(path: staging.path, reason: "record cannot be encoded")
        }
        do { try writer.write(encoded, to: staging.appendingPathComponent(Self.recordFileName)) } catch {
            throw StorageError(error)
        }
        try cache.store(from: staging, record: record)
    }

    /// Makes the output folder show a cached variant again (going back to earlier
    /// parameters), by links to the variant's files: nothing is recomputed or copied.
    public func restore(_ record: StageRecord) throws(StorageError) {
        let variant = cache.variantFolder(record.stage, fingerprint: record.fingerprint)
        let staging = try makeStagingDirectory(record.stage, forView: true)
        do throws(StorageError) {
            for name in record.artifacts.map(\.name) + [Self.recordFileName] {
                try FileLinking.linkOrCopy(variant.appendingPathComponent(name).path, to: staging.appendingPathComponent(name).path)
            }
            try install(staging: staging, stage: record.stage)
        } catch {
            try? NoFollowRemoval.removeTree(atPath: staging.path)
            throw error
        }
    }

    /// Nil when the stage's view already shows `record`'s variant: the same `record.json`
    /// inode as the cached variant (no read needed), or, when the cache is on another file
    /// system and the view holds copies, a record of the same fingerprint whose files check
    /// out. Otherwise what the view shows instead, for `status`.
    func viewDifference(_ record: StageRecord) -> String? {
        let folder = stageDirectory(record.stage)
        let view = folder.appendingPathComponent(Self.recordFileName).path
        let cached = cache.variantFolder(record.stage, fingerprint: record.fingerprint).appendingPathComponent(Self.recordFileName).path
        if FileLinking.sameFile(view, cached) { return quickCheck(record, in: folder) }
        switch Self.loadRecord(in: folder, stage: record.stage) {
        case .missing:
            return "\(folder.path) does not show it"
        case .damaged(let reason):
            return reason
        case .present(let shown):
            guard shown.fingerprint == record.fingerprint else { return "\(folder.path) shows another variant" }
            return quickCheck(shown, in: folder)
        }
    }

    /// Swaps a complete folder (with its record) in as the stage's view.
    func install(staging: URL, stage: String) throws(StorageError) {
        let destination = stageDirectory(stage)
        try checkReplaceable(stage)
        var trash: URL?
        if FileKind.of(destination.path).exists {
            let aside = trashRoot.appendingPathComponent("\(stage)-\(getpid())", isDirectory: true)
            try makeWorkFolder(trashRoot)
            try NoFollowRemoval.removeTree(atPath: aside.path)
            guard rename(destination.path, aside.path) == 0 else {
                throw .cannotWrite(path: destination.path, reason: String(cString: strerror(errno)))
            }
            trash = aside
        }
        guard rename(staging.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            if let trash { _ = rename(trash.path, destination.path) }
            throw .cannotWrite(path: destination.path, reason: reason)
        }
        if let trash { try? NoFollowRemoval.removeTree(atPath: trash.path) }
    }

    /// Repairs what a killed run may have left: a commit interrupted between its two renames
    /// is completed (a staging folder with its record goes in) or rolled back (the old
    /// result comes back from the trash); all other staging and trash folders are removed,
    /// links in them unlinked, never followed. Only folders named after one of `stages` are
    /// moved in, so a planted `.staging/..-1` cannot move anything outside the output folder.
    /// Call only while holding the run lock. Returns the paths removed or restored.
    @discardableResult
    public func recoverInterruptedCommits(stages: Set<String>) -> [String] {
        var actions: [String] = []
        for root in [stagingRoot, trashRoot] {
            guard FileKind.of(root.path).isDirectory else { continue }
            for name in NoFollowRemoval.entries(ofFolderAt: root.path) ?? [] {
                // A live nbrun's staging folder is a stage it is computing right now (runs hold
                // the output lock only while they change the view), so it is left alone; this
                // process's own too, which another run in the same process may be using.
                if let pid = Self.pid(ofWorkFolder: name), VariantCache.isAlive(pid) { continue }
                let folder = root.appendingPathComponent(name)
                if let stage = Self.stage(ofWorkFolder: name), stages.contains(stage), FileKind.of(folder.path).isDirectory,
                   FileKind.of(folder.appendingPathComponent(Self.recordFileName).path).isRegularFile {
                    let destination = stageDirectory(stage)
                    // Staging with a record means the new result was complete; trash holds the old one.
                    if !FileKind.of(destination.path).exists, rename(folder.path, destination.path) == 0 {
                        actions.append("restored \(destination.path) from \(folder.path)")
                        continue
                    }
                }
                do {
                    try NoFollowRemoval.removeTree(atPath: folder.path)
                    actions.append("removed \(folder.path)")
                } catch {
                    actions.append("could not remove \(folder.path): \(error.description)")
                }
            }
            rmdir(root.path)
        }
        return actions
    }

    /// Removes the staging and trash roots when a run left them empty.
    func removeEmptyWorkFolders() {
        rmdir(stagingRoot.path)
        rmdir(trashRoot.path)
    }

    /// Deletes a stage's checkpoints so its next attempt starts over (`--force`). A folder that
    /// cannot be removed is an error: silently resuming would defeat the point of forcing.
    public func removeResumableState(_ stage: String, fingerprint: String) throws(StorageError) {
        let folder = resumeDirectory(stage, fingerprint: fingerprint)
        do { try NoFollowRemoval.removeTree(atPath: folder.path) } catch {
            throw .cannotWrite(path: folder.path, reason: "could not discard resumable state: \(error.description)")
        }
        rmdir(outputDirectory.appendingPathComponent(".resume").path)
    }
}
