import Foundation

/// Forward, loss and backward of a whole batch with the threads splitting every product by
/// output columns instead of by sequences.
///
/// Why: with the half-batch split, each thread multiplies its 16 sequences by the whole
/// recurrent weight matrix at every step. Once the matrix outgrows the caches (16 MB at
/// hidden 1024) every step streams it from memory once per thread, and bandwidth, not
/// arithmetic, sets the pace. Here each thread owns the hidden units in some 32-column
/// panels of every gate block, and at every step multiplies all sequences of the batch by
/// its panels only: half the matrix per thread, each panel reused by twice the rows.
///
/// The data stay in the per-shard workspaces, and each step runs `UnitSplitStep`, the code
/// of a unit-split cell's own `forward` and `backward`, on this thread's columns of every
/// shard; the weight gradients are the workspace's products on those columns. Only which
/// thread computes which element changes, so the gradients are bit-identical to
/// `SequenceWorkspace.forward`/`backward` shard by shard, for any number of threads.
///
/// Per step forward: product for own columns, then the cell update for own units (which
/// needs no other columns; see `UnitSplitCell`), then one barrier, since the next product
/// reads every unit of a_t. Per step backward: gate gradients of own units, one barrier
/// (the product reads every column of dZ_t), then ∂L/∂a_{t−1} for own units, which is all
/// the next step's gate gradients read. The weight gradients need no barrier: own columns
/// of the gradients read own columns of dZ only.
final class ColumnSplitPass {
    let team: ThreadTeam
    let barrier: StepBarrier
    let workspaces: [SequenceWorkspace]
    let cells: [any UnitSplitCell]
    /// One clock per team member (thread time of that member's share), when profiling.
    let clocks: [PhaseClock]
    /// Per member, one shard slot and one row group per shard: scratch for the steps and
    /// their grouped products, so the per-step loop allocates nothing.
    private let shardSlots: UnsafeMutablePointer<UnitSplitShard>
    private let groups: UnsafeMutablePointer<RowGroup>

    /// - Precondition: the workspaces' cell conforms to `UnitSplitCell`.
    /// - Parameter threads: at most this many members; never more than the machine has
    ///   cores, since every member must run at every step (a barrier waits for the slowest)
    ///   and the results do not depend on the count.
    init(workspaces: [SequenceWorkspace], threads: Int) {
        precondition(!workspaces.isEmpty, "a split pass needs a workspace")
        let threads = max(1, min(threads, ProcessInfo.processInfo.activeProcessorCount))
        self.workspaces = workspaces
        cells = workspaces.map { workspace in
            guard let cell = workspace.cell as? any UnitSplitCell else {
                preconditionFailure("\(type(of: workspace.cell)) cannot be split by units")
            }
            return cell
        }
        team = ThreadTeam(size: threads)
        barrier = StepBarrier(parties: threads)
        clocks = (0..<threads).map { _ in PhaseClock() }
        let count = threads * workspaces.count
        groups = .allocate(capacity: count)
        groups.initialize(repeating: RowGroup(a: UnsafePointer(workspaces[0].hidden), c: workspaces[0].hidden, rows: 0),
                          count: count)
        shardSlots = .allocate(capacity: count)
        shardSlots.initialize(repeating: UnitSplitShard(cell: cells[0], step: workspaces[0].step(0)), count: count)
    }

    deinit {
        groups.deallocate()
        shardSlots.deallocate()
    }

    var isProfiling: Bool {
        get { clocks[0].isProfiling }
        set { clocks.forEach { $0.isProfiling = newValue } }
    }

    /// The 32-column panels of every block that `worker` owns: a contiguous share, as even
    /// as whole panels allow.
    static func panels(of worker: Int, workers: Int, panelsPerBlock: Int) -> Range<Int> {
        (worker * panelsPerBlock / workers)..<((worker + 1) * panelsPerBlock / workers)
    }

    /// Forward, loss and backward of `shardCount` shards of `shardSize` sequences (the last
    /// one possibly shorter), each shard's gradient written into its own buffer and its
    /// loss sum into `losses[shard]`, exactly as the shard-by-shard pass writes them.
    func run(
        shardCount: Int, shardSize: Int, batchSize: Int, steps: Int,
        sequences: UnsafePointer<Float>, labels: UnsafePointer<Int32>, lossScale: Float,
        weights: RecurrentWeights, gradients: [UnsafeMutablePointer<Float>], losses: UnsafeMutablePointer<Float>
    ) {
        precondition(shardCount > 0 && shardCount <= workspaces.count, "\(shardCount) shards for \(workspaces.count) workspaces")
        let configuration = weights.configuration
        let hidden = configuration.hiddenSize, width = configuration.gateWidth
        let input = configuration.inputSize, output = configuration.outputSize
        let blocks = configuration.cell.gates.count
        let panelsPerBlock = weights.packedTransposedRecurrentWeights.panelsPerBlock
        let parameters = UnsafePointer(weights.parameters.baseAddress!), layout = weights.layout
        let sampleSize = steps * input
        let workers = team.size
        let workspaces = workspaces, cells = cells, clocks = clocks, barrier = barrier
        let allGroups = groups, allShardSlots = shardSlots

        team.run { worker in
            let clock = clocks[worker]
            let panels = Self.panels(of: worker, workers: workers, panelsPerBlock: panelsPerBlock)
            let units = min(panels.lowerBound * PackedPanels.panelWidth, hidden)..<min(panels.upperBound * PackedPanels.panelWidth, hidden)
            let shardSlots = allShardSlots + worker * shardCount
            let split = UnitSplitStep(shards: UnsafeBufferPointer(start: shardSlots, count: shardCount),
                                      panels: panels, units: units, groups: allGroups + worker * shardCount)
            /// Every shard's step t in this member's slots.
            func take(step t: Int) {
                for shard in 0..<shardCount {
                    shardSlots[shard] = UnitSplitShard(cell: cells[shard], step: workspaces[shard].step(t))
                }
            }
            func batch(of shard: Int) -> Int { min(shardSize, batchSize - shard * shardSize) }

            clock.begin()
            // Each member loads its own shards; everyone's projection reads every shard.
            for shard in stride(from: worker, to: shardCount, by: workers) {
                workspaces[shard].load(sequences: sequences + shard * shardSize * sampleSize,
                                       batch: batch(of: shard), steps: steps)
            }
            barrier.wait()
            // Input projection of own columns: Z[t·n + b] = x·Wxᵀ + (b_x + b_a).
            if !units.isEmpty {
                for shard in 0..<shardCount {
                    let workspace = workspaces[shard]
                    for block in 0..<blocks {
                        let column = block * hidden + units.lowerBound
                        MatrixProduct.multiply(
                            m: steps * workspace.batch, n: units.count, k: input,
                            a: workspace.inputs, aRowStride: input, aColumnStride: 1,
                            b: parameters + layout.inputWeightsOffset + column, bRowStride: width,
                            c: workspace.gates + column, cRowStride: width, accumulate: false,
                            rowBias: weights.fusedGateBias + column)
                    }
                }
            }
            clock.lap(\.inputProjection)

            for t in 0..<steps {
                take(step: t)
                split.forward(weights: weights, clock: clock)
                barrier.wait()
                clock.lap(\.activations)
            }

            // The states the weight gradients read, a_0 … a_{T−2} of every shard (the recurrent
            // inputs of steps 1 … T−1), packed into 8-row tiles, each member a share of the
            // tiles; the barrier after the classifier publishes them.
            let tileCount = PackedRowTiles.tileCount(rows: hidden)
            let tiles = (worker * tileCount / workers)..<((worker + 1) * tileCount / workers)
            for shard in 0..<shardCount {
                let pass = workspaces[shard].pass
                pass.packStates(pass.recurrentInputs, tiles: tiles)
            }
            // Classifier, loss and the classifier's gradient, each member for its own shards.
            for shard in stride(from: worker, to: shardCount, by: workers) {
                let workspace = workspaces[shard]
                workspace.classify(weights: weights)
                losses[shard] = SoftmaxCrossEntropy.lossSum(
                    logits: workspace.logits, labels: labels + shard * shardSize, count: workspace.batch,
                    classes: output, gradientScale: lossScale, gradient: workspace.logitGradients)
                workspace.backpropagateClassifier(weights: weights, gradients: gradients[shard])
            }
            barrier.wait()
            clock.lap(\.classifierAndLoss)

            for t in (0..<steps).reversed() {
                take(step: t)
                split.differentiate()
                // Own columns of dZ_t into the weight gradients' panels, while in cache.
                for shard in 0..<shardCount {
                    let workspace = workspaces[shard], n = workspace.batch
                    workspace.packedGateGradients.pack(from: workspace.gateGradients, rowStride: width,
                                                       rows: t * n..<(t + 1) * n, panels: panels)
                }
                clock.lap(\.gateBackward)
                guard t > 0 else { break }
                barrier.wait()
                split.propagate(weights: weights)
                clock.lap(\.recurrentBackward)
            }

            // Weight gradients of own columns, shard by shard into each shard's buffer, by the
            // workspace's own products restricted to this member's panels.
            for shard in 0..<shardCount where !units.isEmpty {
                let workspace = workspaces[shard], gradient = gradients[shard]
                workspace.pass.weightGradientFromPackedStates(
                    blocks: 0..<blocks, panels: panels, into: gradient + layout.recurrentWeightsOffset)
                workspace.inputWeightGradients(into: gradient, layout: layout, panels: panels, units: units)
            }
            clock.lap(\.weightGradients)
        }
    }
}
