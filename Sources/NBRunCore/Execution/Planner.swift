import Foundation

/// Decides freshness from records, artifact sizes and current fingerprints without
/// reading artifact contents, so a fully cached run stays fast. A stage is fresh when the
/// variant cache holds its current fingerprint (or, for a folder not yet migrated, when the
/// output folder shows it); otherwise the reasons compare with the last run's result.
public enum Planner {
    public static func plan(_ manifest: Manifest, registry: StageRegistry, store: ArtifactStore) throws(StorageError) -> [StagePlan] {
        var calculator = FingerprintCalculator(registry: registry, notebookDirectory: manifest.notebookDirectory)
        let components = try calculator.components(for: manifest)
        return manifest.stages.map { stage in
            let current = components[stage.name]!
            if case .present(let record) = store.cache.loadVariant(stage.name, fingerprint: current.fingerprint),
               store.quickCheck(record, in: store.cache.variantFolder(stage.name, fingerprint: current.fingerprint)) == nil {
                let difference = store.viewDifference(record)
                return StagePlan(stage: stage, components: current, freshness: .fresh(record), changes: [],
                                 source: difference == nil ? .view : .cache(instead: difference!))
            }
            switch store.loadRecord(stage.name) {
            case .missing:
                return StagePlan(stage: stage, components: current, freshness: .neverRun(reason: ""), changes: [])
            case .damaged(let reason):
                return StagePlan(stage: stage, components: current, freshness: .neverRun(reason: reason), changes: [])
            case .present(let record):
                let changes = record.fingerprint == current.fingerprint ? [] : record.components.changes(to: current)
                var reasons = changes.map(\.description)
                if record.fingerprint != current.fingerprint, reasons.isEmpty { reasons.append("fingerprint format changed") }
                if let problem = store.quickCheck(record) { reasons.append(problem) }
                let freshness: StageFreshness = reasons.isEmpty ? .fresh(record) : .stale(record, reasons: reasons)
                return StagePlan(stage: stage, components: current, freshness: freshness, changes: changes, source: .viewOnly)
            }
        }
    }
}
