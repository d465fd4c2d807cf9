import Foundation

/// The cached variants of a notebook's stages, as `nbrun runs` shows them: for each, the
/// parameters that set it apart from the others, its metrics, what it cost and its size.
///
/// A variant's parameters include those of the upstream variants it was computed from
/// (found through the upstream fingerprints in its record), so a `test` stage's variants
/// differ by `train.epochs` even though `test` itself has no such parameter.
public struct VariantTable: Sendable, Codable, Equatable {
    public struct Row: Sendable, Codable, Equatable {
        public var stage: String
        public var fingerprint: String
        /// `stage.parameter` → value, for the parameters whose values differ between the
        /// variants of this stage (the same for every row of the stage).
        public var parameters: [String: String]
        public var metrics: [String: Double]
        public var durationSeconds: Double
        public var startedAt: Date
        /// The artifacts' total size.
        public var bytes: Int
        /// The part of `bytes` whose contents another cached variant holds too (stored once).
        public var sharedBytes: Int
        /// True for the variant the output folder shows (the last run's).
        public var current: Bool
    }

    public var rows: [Row]
    /// Bytes of distinct artifact contents across all the rows: what the variants occupy
    /// on disk, each shared content counted once (records not included).
    public var uniqueBytes: Int
    /// True when the cache is on another file system than the output folder: the stage
    /// folders then hold copies of the variants' files, not links (so `runs` must not say links).
    public var outputHoldsCopies: Bool = false

    /// Reads the records of every cached variant of `stages` (in the order given), newest first
    /// within a stage. Unreadable variants are left out: `gc` and the next run deal with them.
    public static func collect(stages: [String], store: ArtifactStore) -> VariantTable {
        var records: [String: [StageRecord]] = [:]
        var byKey: [String: StageRecord] = [:]
        for stage in stages {
            for fingerprint in store.cache.fingerprints(of: stage) {
                guard case .present(let record) = store.cache.loadVariant(stage, fingerprint: fingerprint) else { continue }
                records[stage, default: []].append(record)
                byKey[stage + "/" + fingerprint] = record
            }
        }
        var memo: [String: [String: String]] = [:]
        func effective(_ stage: String, _ fingerprint: String, depth: Int = 0) -> [String: String] {
            let key = stage + "/" + fingerprint
            if let known = memo[key] { return known }
            guard let record = byKey[key], depth < 64 else { return ["\(stage).variant": String(fingerprint.prefix(10))] }
            var result: [String: String] = [:]
            for (upstream, upstreamFingerprint) in record.components.upstream {
                result.merge(effective(upstream, upstreamFingerprint, depth: depth + 1)) { current, _ in current }
            }
            for (name, value) in record.parameters { result["\(stage).\(name)"] = value }
            memo[key] = result
            return result
        }
        var references: [String: Int] = [:]
        var sizes: [String: Int] = [:]
        for record in records.values.joined() {
            for artifact in Set(record.artifacts.map(\.sha256)) { references[artifact, default: 0] += 1 }
            for artifact in record.artifacts { sizes[artifact.sha256] = artifact.size }
        }
        var rows: [Row] = []
        for stage in stages {
            let variants = (records[stage] ?? []).sorted { $0.startedAt > $1.startedAt }
            let parameters = variants.map { effective(stage, $0.fingerprint) }
            let keys = Set(parameters.flatMap(\.keys))
            let differing = keys.filter { key in Set(parameters.map { $0[key] ?? "" }).count > 1 }
            let shown = store.loadRecord(stage)
            for (record, all) in zip(variants, parameters) {
                let isCurrent: Bool
                if case .present(let view) = shown { isCurrent = view.fingerprint == record.fingerprint } else { isCurrent = false }
                rows.append(Row(
                    stage: stage, fingerprint: record.fingerprint,
                    parameters: all.filter { differing.contains($0.key) },
                    metrics: record.metrics ?? [:], durationSeconds: record.durationSeconds, startedAt: record.startedAt,
                    bytes: record.artifacts.reduce(0) { $0 + $1.size },
                    sharedBytes: record.artifacts.filter { (references[$0.sha256] ?? 0) > 1 }.reduce(0) { $0 + $1.size },
                    current: isCurrent))
            }
        }
        return VariantTable(rows: rows, uniqueBytes: sizes.values.reduce(0, +),
                            outputHoldsCopies: !FileLinking.sameFileSystem(store.outputDirectory.path, store.cache.root.path))
    }
}
