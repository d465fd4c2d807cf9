import AtomicFiles
import Foundation

/// Every variant of every stage that was ever computed, kept by fingerprint until `gc`
/// removes it, so that going back to earlier parameters restores a result instead of
/// recomputing it (the role of DVC's run cache or Bazel's action cache):
///
///     <cache>/stages/<stage>/<fingerprint>/     record.json + the artifacts
///     <cache>/stages/<stage>/.tmp-<pid>-<fingerprint>/   a variant being committed
///     <cache>/objects/<sha256>                  one read-only file per distinct content
///     <cache>/objects/.tmp-<pid>-<sha256>       an object being added
///
/// A variant's artifacts are hard links to the objects, so the same bytes produced by two
/// variants (a stage whose output does not depend on a changed parameter) are stored once.
/// Objects are made read-only because every link shares them: an artifact edited in place
/// through the output folder would otherwise change every variant that holds it. A variant
/// appears by one `rename` of a complete folder, so a reader finds it whole or not at all.
public struct VariantCache: Sendable {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    var stagesRoot: URL { root.appendingPathComponent("stages", isDirectory: true) }
    var objectsRoot: URL { root.appendingPathComponent("objects", isDirectory: true) }

    public func stageFolder(_ stage: String) -> URL {
        stagesRoot.appendingPathComponent(stage, isDirectory: true)
    }

    public func variantFolder(_ stage: String, fingerprint: String) -> URL {
        stageFolder(stage).appendingPathComponent(fingerprint, isDirectory: true)
    }

    public func objectURL(_ sha256: String) -> URL {
        objectsRoot.appendingPathComponent(sha256)
    }

    /// Fingerprints are lowercase SHA-256 hex; anything else in a stage's cache folder is
    /// not a variant (a temporary folder, or something nbrun did not write).
    static func isFingerprint(_ name: String) -> Bool {
        name.utf8.count == 64 && name.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Refuses a cache whose folders are not real folders (a link planted at `stages/<stage>`
    /// would make a run restore, or `gc` delete, what lies behind it), before anything in it
    /// is read, written or removed. Missing folders are fine: they are created as needed.
    public func checkFolders(stages: [String]) throws(StorageError) {
        for url in [root, stagesRoot, objectsRoot] + stages.map(stageFolder) {
            let kind = FileKind.of(url.path)
            guard kind == .missing || kind.isDirectory else {
                throw .unexpectedEntry(path: url.path, kind: kind.description, expected: "its cache folder \(url.lastPathComponent)")
            }
        }
    }

    /// True when every folder on the way to `stage`'s variants is a real folder (lstat, no
    /// link followed); otherwise the cache is not consulted and a run refuses it by name.
    func isSound(_ stage: String) -> Bool {
        [root, stagesRoot, stageFolder(stage)].allSatisfy { FileKind.of($0.path).isDirectory }
    }

    public func loadVariant(_ stage: String, fingerprint: String) -> ArtifactStore.RecordState {
        guard isSound(stage) else { return .missing }
        let state = ArtifactStore.loadRecord(in: variantFolder(stage, fingerprint: fingerprint), stage: stage)
        if case .present(let record) = state, record.fingerprint != fingerprint {
            return .damaged(reason: "\(variantFolder(stage, fingerprint: fingerprint).path) holds the record of another fingerprint")
        }
        return state
    }

    /// The fingerprints cached for `stage`, oldest folder name order (callers sort by date).
    public func fingerprints(of stage: String) -> [String] {
        (NoFollowRemoval.entries(ofFolderAt: stageFolder(stage).path) ?? []).filter(Self.isFingerprint)
    }

    /// Adds the complete result in `folder` (its artifacts and `record.json`, already
    /// written) as the variant `record.fingerprint`. Each artifact in `folder` is replaced
    /// by a link to the object holding the same bytes (or becomes that object), so the
    /// folder, the variant and every other variant with those bytes share one copy. An
    /// existing variant of that fingerprint (one found damaged, or recomputed under
    /// `--force`) is replaced.
    public func store(from folder: URL, record: StageRecord) throws(StorageError) {
        try Self.makeFolder(root)
        try Self.makeFolder(stagesRoot)
        try Self.makeFolder(objectsRoot)
        try Self.makeFolder(stageFolder(record.stage))
        for artifact in record.artifacts {
            try deduplicate(folder.appendingPathComponent(artifact.name).path, artifact: artifact)
        }
        let temporary = stageFolder(record.stage).appendingPathComponent(".tmp-\(getpid())-\(record.fingerprint)")
        try NoFollowRemoval.removeTree(atPath: temporary.path)
        guard mkdir(temporary.path, 0o755) == 0 else {
            throw .cannotCreate(path: temporary.path, reason: String(cString: strerror(errno)))
        }
        do throws(StorageError) {
            // From the object, not from `folder`: when the cache is on another file system than
            // the output folder, the variant is then a link to the object, not a second copy.
            for artifact in record.artifacts {
                try FileLinking.linkOrCopy(objectURL(artifact.sha256).path, to: temporary.appendingPathComponent(artifact.name).path)
            }
            let recordPath = folder.appendingPathComponent(ArtifactStore.recordFileName).path
            _ = chmod(recordPath, 0o444)  // shared with the view, like the artifacts
            try FileLinking.linkOrCopy(recordPath, to: temporary.appendingPathComponent(ArtifactStore.recordFileName).path)
            let destination = variantFolder(record.stage, fingerprint: record.fingerprint)
            try NoFollowRemoval.removeTree(atPath: destination.path)
            guard rename(temporary.path, destination.path) == 0 else {
                throw .cannotWrite(path: destination.path, reason: String(cString: strerror(errno)))
            }
        } catch {
            try? NoFollowRemoval.removeTree(atPath: temporary.path)
            throw error
        }
    }

    /// Makes `path` share the object holding its bytes: linked to an existing object that
    /// still holds them, or made read-only and linked in as a new object. An existing object
    /// is hashed before it is reused: read-only does not stop root, so one edited in place
    /// through a view (same size, other bytes) would otherwise be linked over fresh bytes and
    /// recorded under the fresh bytes' hash. Such an object is replaced by the fresh bytes;
    /// the variants still linked to the old one are found damaged when restored or read.
    /// Across file systems the object is a copy and `path` keeps its own bytes.
    private func deduplicate(_ path: String, artifact: StageRecord.Artifact) throws(StorageError) {
        let object = objectURL(artifact.sha256).path
        if FileLinking.sameFile(path, object) { return }
        if holdsBytes(of: artifact) {
            let temporary = URL(fileURLWithPath: path).deletingLastPathComponent()
                .appendingPathComponent(".dedup-\(getpid())-\(artifact.sha256.prefix(16))").path
            unlink(temporary)
            if link(object, temporary) == 0 {
                guard rename(temporary, path) == 0 else {
                    unlink(temporary)
                    throw .cannotWrite(path: path, reason: String(cString: strerror(errno)))
                }
                return
            }
            if errno != EXDEV && errno != EPERM && errno != EMLINK {
                throw .cannotWrite(path: path, reason: String(cString: strerror(errno)))
            }
            return  // the object is on another file system and already there: nothing to add
        }
        _ = chmod(path, 0o444)
        let temporary = objectsRoot.appendingPathComponent(".tmp-\(getpid())-\(artifact.sha256)").path
        unlink(temporary)
        try FileLinking.linkOrCopy(path, to: temporary)
        _ = chmod(temporary, 0o444)
        guard rename(temporary, object) == 0 else {
            unlink(temporary)
            throw .cannotWrite(path: object, reason: String(cString: strerror(errno)))
        }
    }

    /// Whether the object for `artifact`'s hash is a regular file of its size whose bytes
    /// hash to it (missing, truncated, edited or replaced objects do not).
    func holdsBytes(of artifact: StageRecord.Artifact) -> Bool {
        let object = objectURL(artifact.sha256)
        guard case .regular(let size) = FileKind.of(object.path), size == artifact.size else { return false }
        return (try? ContentHash.ofFile(at: object)) == artifact.sha256
    }

    /// Forgets a variant found damaged, and the damaged objects it shares with the output
    /// folder's files (the same inode, so the same damage), so that recomputing it stores
    /// fresh bytes instead of linking to the damaged ones again.
    public func discardDamaged(_ record: StageRecord, viewFolder: URL) {
        for artifact in record.artifacts {
            let object = objectURL(artifact.sha256).path
            let view = viewFolder.appendingPathComponent(artifact.name).path
            let variant = variantFolder(record.stage, fingerprint: record.fingerprint).appendingPathComponent(artifact.name).path
            if FileLinking.sameFile(view, object) || FileLinking.sameFile(variant, object) {
                if (try? ContentHash.ofFile(at: URL(fileURLWithPath: object))) != artifact.sha256 { unlink(object) }
            }
        }
        try? NoFollowRemoval.removeTree(atPath: variantFolder(record.stage, fingerprint: record.fingerprint).path)
    }

    /// Removes what a killed process left mid-commit: `.tmp-<pid>-…` entries. Call only when
    /// no other process uses the cache (holding its ``RunLock`` exclusive): a pid says nothing
    /// about a process on another machine sharing the cache, so every such entry is taken as
    /// abandoned then, and none otherwise. Returns the paths removed.
    @discardableResult
    public func removeAbandonedTemporaries(stages: [String]) -> [String] {
        var removed: [String] = []
        for folder in stages.map(stageFolder) + [objectsRoot] {
            for name in NoFollowRemoval.entries(ofFolderAt: folder.path) ?? [] {
                guard Self.writerPID(ofTemporary: name) != nil else { continue }
                let path = folder.appendingPathComponent(name).path
                if (try? NoFollowRemoval.removeTree(atPath: path)) != nil { removed.append(path) }
            }
        }
        return removed
    }

    /// `.tmp-4242-abc…` → 4242.
    static func writerPID(ofTemporary name: String) -> pid_t? {
        guard name.hasPrefix(".tmp-") else { return nil }
        let digits = name.dropFirst(5).prefix { $0.isNumber }
        guard !digits.isEmpty, name.dropFirst(5 + digits.count).first == "-" else { return nil }
        return pid_t(digits)
    }

    /// Whether `pid` can still act: it exists, and is neither a zombie nor being killed. A
    /// worker whose supervising nbrun was killed gets SIGKILL as its parent dies, and runs
    /// no more code of its own from then on, though it still exists for a few milliseconds
    /// while the system takes it down: what it left is as stale as its supervisor's.
    static func isAlive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        #if os(Linux)
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return true }
        for line in status.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 2 else { continue }
            switch fields[0] {
            case "State:" where fields[1].hasPrefix("Z") || fields[1].hasPrefix("X"):
                return false
            case "SigPnd:", "ShdPnd:":
                // Bit SIGKILL - 1 of the pending mask, in hexadecimal.
                if let mask = UInt64(fields[1], radix: 16), mask & (1 << UInt64(SIGKILL - 1)) != 0 { return false }
            default: continue
            }
        }
        #endif
        return true
    }

    /// Creates a folder of the cache, refusing anything but a real folder already there.
    static func makeFolder(_ url: URL) throws(StorageError) {
        if mkdir(url.path, 0o755) == 0 { return }
        guard errno == EEXIST else { throw .cannotCreate(path: url.path, reason: String(cString: strerror(errno))) }
        let kind = FileKind.of(url.path)
        guard kind.isDirectory else {
            throw .unexpectedEntry(path: url.path, kind: kind.description, expected: "its cache folder \(url.lastPathComponent)")
        }
    }
}
