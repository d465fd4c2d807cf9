import Foundation

/// Output folders written before results were kept by fingerprint held one result per
/// stage, directly in `<output>/<stage>/` (marker format 1, or no marker at all). Their
/// records are still valid results, so instead of recomputing them, or worse reading the
/// folder as if it were a cache it is not, a run moves each intact one into the variant
/// cache, says so, and upgrades the marker; a result whose artifacts no longer match its
/// record is left to be recomputed, and that is said too.
enum LayoutMigration {
    /// Migrates `store`'s folder if its marker says it is in the older layout. Call only
    /// while holding the output lock. Returns the lines to show the user (none when the
    /// folder was already current).
    static func migrateIfNeeded(_ store: ArtifactStore, stages: [String]) throws(StorageError) -> [String] {
        guard store.folder.layoutFormat() == OutputFolder.legacyLayoutFormat else { return [] }
        var kept: [String] = [], recompute: [String] = []
        for stage in stages {
            switch store.loadRecord(stage) {
            case .missing:
                continue
            case .damaged(let reason):
                recompute.append("\(stage) (\(reason))")
            case .present(let record):
                if let problem = store.quickCheck(record) ?? store.verify(record)?.description {
                    recompute.append("\(stage) (\(problem))")
                    continue
                }
                try store.cache.store(from: store.stageDirectory(stage), record: record)
                kept.append(stage)
            }
        }
        try store.folder.upgradeMarker()
        var lines = ["nbrun: \(store.outputDirectory.path) was written by an earlier nbrun (one result per stage); "
            + "it now keeps every variant by fingerprint in \(store.cache.root.path)"]
        if !kept.isEmpty { lines.append("nbrun: kept the earlier results of \(kept.joined(separator: ", "))") }
        if !recompute.isEmpty { lines.append("nbrun: earlier results not kept (they will be recomputed): \(recompute.joined(separator: "; "))") }
        return lines
    }
}
