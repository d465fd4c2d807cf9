/// Which stages a run considers, and which it reruns regardless of the cache.
struct Selection {
    var scope: Set<String>
    var forced: Set<String>
    private var cause: ForceCause

    init(manifest: Manifest, options: RunOptions) {
        let stages = manifest.stages
        let names = stages.map(\.name)
        func upstreamClosure(of targets: Set<String>) -> Set<String> {
            var result = targets
            for stage in stages.reversed() where result.contains(stage.name) {
                result.formUnion(stage.reads)
            }
            return result
        }
        if let only = options.onlyStage {
            forced = [only]
            scope = upstreamClosure(of: forced)
            cause = .selectedByStage
        } else if let from = options.fromStage {
            var downstream: Set<String> = [from]
            for stage in stages where stage.reads.contains(where: downstream.contains) {
                downstream.insert(stage.name)
            }
            forced = downstream
            scope = upstreamClosure(of: downstream)
            cause = .selectedByFrom(from)
        } else if let limit = options.limitToStages {
            scope = upstreamClosure(of: limit)
            forced = options.force ? scope : []
            cause = .forceFlag
        } else {
            scope = Set(names)
            forced = options.force ? scope : []
            cause = .forceFlag
        }
        if options.force && (options.onlyStage != nil || options.fromStage != nil) {
            forced = scope
            cause = .forceFlag
        }
    }

    /// Why `stage` is rerun regardless of the cache, or nil when the cache decides.
    func forceCause(_ stage: String) -> ForceCause? {
        forced.contains(stage) ? cause : nil
    }

    /// True when the run names particular stages (--stage, --from) rather than all of them.
    var isTargeted: Bool { cause != .forceFlag && !forced.isEmpty }
}
