import Foundation
import NBRunEngine

/// What a sweep still needs, decided here before anything is submitted: each variant's
/// fingerprints against the cache, and the stages every variant shares (the same
/// fingerprint in all of them), which one job computes for all.
struct SlurmSweepPlan {
    /// Grid indices of the variants with a stage the cache lacks.
    var missingVariants: [Int]
    /// Stages with one fingerprint across the whole grid that the cache lacks, in notebook order.
    var missingSharedStages: [String]

    init(manifests: [Manifest], runner: Runner, store: ArtifactStore) throws(SweepFailure) {
        var plans: [[StagePlan]] = []
        for manifest in manifests { plans.append(try SweepFailure.ofRun { () throws(RunError) in try runner.plans(manifest, store: store) }) }
        missingVariants = plans.indices.filter { !plans[$0].allSatisfy(\.freshness.isFresh) }
        missingSharedStages = plans[0].indices.compactMap { position in
            let stage = plans[0][position]
            let shared = plans.allSatisfy { $0[position].fingerprint == stage.fingerprint }
            return shared && !stage.freshness.isFresh ? stage.stage.name : nil
        }
    }
}
