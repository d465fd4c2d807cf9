import Foundation

/// What `nbrun gc` keeps: the newest variants of each stage, or as many (newest first) as
/// fit in a size. The variants the output folder shows are always kept.
public enum GCPolicy: Sendable, Equatable {
    case keepLast(Int)
    case maxSize(Int)
}

/// What `nbrun gc` did.
public struct GCReport: Sendable, Equatable {
    /// `stage/fingerprint` of each variant removed (damaged ones included).
    public var removed: [String] = []
    public var removedObjects = 0
    public var freedBytes = 0
    /// Distinct artifact bytes still cached.
    public var remainingBytes = 0
    public var keptVariants = 0
}

/// Removes cached variants of a notebook's stages, oldest first, and then the objects no
/// remaining variant in the cache lists (another notebook's included). Never a variant the output folder shows (the last run's), and
/// only inside the cache, which is nbrun's alone. A variant leaves by one rename to a
/// temporary name before it is deleted, so a run reading the cache meanwhile (or a `gc`
/// killed half way) finds it whole or gone, never half there. Call only under the output lock.
struct GarbageCollector {
    let store: ArtifactStore
    let stages: [String]

    func collect(_ policy: GCPolicy) throws(StorageError) -> GCReport {
        var report = GCReport()
        var variants: [StageRecord] = []
        for stage in stages {
            for fingerprint in store.cache.fingerprints(of: stage) {
                switch store.cache.loadVariant(stage, fingerprint: fingerprint) {
                case .present(let record):
                    variants.append(record)
                case .missing, .damaged:
                    try discard(stage, fingerprint)
                    report.removed.append("\(stage)/\(fingerprint) (damaged)")
                }
            }
        }
        var shown: Set<String> = []
        for stage in stages {
            if case .present(let record) = store.loadRecord(stage) { shown.insert("\(stage)/\(record.fingerprint)") }
        }
        // Records keep whole seconds; the variant folder's modification time (its commit, in
        // nanoseconds) orders variants computed within one second.
        var committed: [String: Double] = [:]
        for record in variants {
            var info = stat()
            let path = store.cache.variantFolder(record.stage, fingerprint: record.fingerprint).path
            committed[record.fingerprint + record.stage] = lstat(path, &info) == 0
                ? Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9 : 0
        }
        // A record's date is what the file says (an edited record may claim the year 9999,
        // which would make it the newest for ever): never later than its folder's commit, in
        // whole seconds like the records' dates, so that the commit order breaks the tie.
        func date(_ record: StageRecord) -> Double {
            let commit = committed[record.fingerprint + record.stage, default: 0]
            let started = record.startedAt.timeIntervalSince1970
            return commit > 0 ? min(started, commit.rounded(.down)) : started
        }
        let newestFirst = variants.sorted { a, b in
            date(a) != date(b) ? date(a) > date(b)
                : committed[a.fingerprint + a.stage, default: 0] > committed[b.fingerprint + b.stage, default: 0]
        }
        var keep: Set<String> = shown
        switch policy {
        case .keepLast(let count):
            for stage in stages {
                for record in newestFirst.filter({ $0.stage == stage }).prefix(count) { keep.insert("\(stage)/\(record.fingerprint)") }
            }
        case .maxSize(let limit):
            var objects: Set<String> = []
            func size(of records: [StageRecord]) -> Int {
                var total = 0
                for record in records {
                    for artifact in record.artifacts where !objects.contains(artifact.sha256) {
                        objects.insert(artifact.sha256)
                        total += artifact.size
                    }
                }
                return total
            }
            var used = size(of: newestFirst.filter { shown.contains("\($0.stage)/\($0.fingerprint)") })
            for record in newestFirst where !keep.contains("\(record.stage)/\(record.fingerprint)") {
                var trial = objects
                let extra = record.artifacts.reduce(into: 0) { total, artifact in
                    if trial.insert(artifact.sha256).inserted { total += artifact.size }
                }
                guard used + extra <= limit else { continue }
                used += extra
                objects = trial
                keep.insert("\(record.stage)/\(record.fingerprint)")
            }
        }
        // A shared cache holds other notebooks' stages too: their objects stay.
        var referenced = objectsListedByOtherStages()
        for record in variants {
            let key = "\(record.stage)/\(record.fingerprint)"
            if keep.contains(key) {
                referenced.formUnion(record.artifacts.map(\.sha256))
                report.keptVariants += 1
            } else {
                try discard(record.stage, record.fingerprint)
                report.removed.append(key)
            }
        }
        let objectsPath = store.cache.objectsRoot.path
        let folder = open(objectsPath, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if folder >= 0 {
            defer { close(folder) }
            for name in try NoFollowRemoval.entries(of: folder, path: objectsPath) where VariantCache.isFingerprint(name) {
                let kind = FileKind.of(name, in: folder)
                if referenced.contains(name) {
                    if case .regular(let size) = kind { report.remainingBytes += size }
                    continue
                }
                // Bytes still linked from elsewhere (a view, a variant nbrun cannot read) are not freed.
                var info = stat()
                let linkedElsewhere = fstatat(folder, name, &info, AT_SYMLINK_NOFOLLOW) == 0 && info.st_nlink > 1
                if NoFollowRemoval.unlinkFile(name, in: folder) {
                    report.removedObjects += 1
                    if case .regular(let size) = kind, !linkedElsewhere { report.freedBytes += size }
                }
            }
        }
        return report
    }

    /// The objects listed by the variants of every stage in the cache that is not one of
    /// `stages` (another notebook sharing the cache), which this `gc` must keep.
    private func objectsListedByOtherStages() -> Set<String> {
        var listed: Set<String> = []
        for stage in NoFollowRemoval.entries(ofFolderAt: store.cache.stagesRoot.path) ?? [] where !stages.contains(stage) {
            for fingerprint in store.cache.fingerprints(of: stage) {
                if case .present(let record) = store.cache.loadVariant(stage, fingerprint: fingerprint) {
                    listed.formUnion(record.artifacts.map(\.sha256))
                }
            }
        }
        return listed
    }

    /// Renames the variant out of sight, then deletes it.
    private func discard(_ stage: String, _ fingerprint: String) throws(StorageError) {
        let folder = store.cache.variantFolder(stage, fingerprint: fingerprint)
        let aside = store.cache.stageFolder(stage).appendingPathComponent(".tmp-\(getpid())-gc-\(fingerprint)")
        try NoFollowRemoval.removeTree(atPath: aside.path)
        guard rename(folder.path, aside.path) == 0 else {
            throw .cannotWrite(path: folder.path, reason: String(cString: strerror(errno)))
        }
        try NoFollowRemoval.removeTree(atPath: aside.path)
    }
}
