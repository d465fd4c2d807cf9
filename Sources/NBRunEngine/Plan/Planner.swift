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
                return StagePlan(stage: stage, components: current, freshness: .fresh(record),
                                 source: difference == nil ? .view : .cache(instead: difference!))
            }
            switch store.loadRecord(stage.name) {
            case .missing:
                return StagePlan(stage: stage, components: current, freshness: .neverRun(reason: ""))
            case .damaged(let reason):
                return StagePlan(stage: stage, components: current, freshness: .neverRun(reason: reason))
            case .present(let record):
                let changes = record.fingerprint == current.fingerprint ? [] : record.components.changes(to: current)
                var causes = changes.map(StaleCause.changed)
                if record.fingerprint != current.fingerprint, causes.isEmpty { causes.append(.fingerprintFormatChanged) }
                if let problem = store.quickCheck(record) { causes.append(.artifactProblem(problem)) }
                let freshness: StageFreshness = causes.isEmpty ? .fresh(record) : .stale(record, causes: causes)
                return StagePlan(stage: stage, components: current, freshness: freshness, source: .viewOnly)
            }
        }
    }
}
