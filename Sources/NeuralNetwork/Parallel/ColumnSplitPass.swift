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
/// The data stay in the per-shard workspaces, and every element of every product and
/// update is computed by the same arithmetic as in the shard-by-shard pass (only which
/// thread computes which element changes), so the gradients are bit-identical to
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
    /// Per member, one row group per shard: scratch for the grouped products, so the
    /// per-step loop allocates nothing.
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
    }

    deinit { groups.deallocate() }

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
        let workspaces = workspaces, cells = cells, clocks = clocks, barrier = barrier, allGroups = groups

        team.run { worker in
            let clock = clocks[worker]
            let panels = Self.panels(of: worker, workers: workers, panelsPerBlock: panelsPerBlock)
            let units = min(panels.lowerBound * PackedPanels.panelWidth, hidden)..<min(panels.upperBound * PackedPanels.panelWidth, hidden)
            let groups = allGroups + worker * shardCount
            let shardGroups = UnsafeBufferPointer(start: UnsafePointer(groups), count: shardCount)
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
                if t > 0 && !units.isEmpty {
                    for shard in 0..<shardCount {
                        let step = workspaces[shard].step(t)
                        groups[shard] = RowGroup(a: step.previousHidden, c: step.gates, rows: step.batch)
                    }
                    MatrixProduct.multiply(
                        groups: shardGroups, aRowStride: hidden, aColumnStride: 1,
                        packed: weights.packedTransposedRecurrentWeights, rows: 0..<hidden, blocks: 0..<blocks,
                        panels: panels, cRowStride: width, accumulate: true)
                }
                clock.lap(\.recurrentForward)
                if !units.isEmpty {
                    for shard in 0..<shardCount { cells[shard].activate(workspaces[shard].step(t), units: units) }
                }
                barrier.wait()
                clock.lap(\.activations)
            }

            // The states the weight gradients read, a_0 … a_{T−2} of every shard (the recurrent
            // inputs of steps 1 … T−1), packed into 8-row tiles, each member a share of the
            // tiles; the barrier after the classifier publishes them.
            let tileCount = PackedRowTiles.tileCount(rows: hidden)
            let tiles = (worker * tileCount / workers)..<((worker + 1) * tileCount / workers)
            for shard in 0..<shardCount {
                let workspace = workspaces[shard], n = workspace.batch
                workspace.packedStates.pack(transposedFrom: workspace.hidden + n * hidden, rowStride: hidden,
                                            rows: hidden, depth: (steps - 1) * n, tiles: tiles)
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
                if !units.isEmpty {
                    for shard in 0..<shardCount {
                        let workspace = workspaces[shard], n = workspace.batch
                        cells[shard].differentiate(workspace.step(t), units: units)
                        // Own columns of dZ_t into the weight gradients' panels, while in cache.
                        workspace.packedGateGradients.pack(from: workspace.gateGradients, rowStride: width,
                                                           rows: t * n..<(t + 1) * n, panels: panels)
                    }
                }
                clock.lap(\.gateBackward)
                guard t > 0 else { break }
                barrier.wait()
                if !units.isEmpty {
                    for shard in 0..<shardCount {
                        let step = workspaces[shard].step(t)
                        groups[shard] = RowGroup(a: step.gateGradients, c: step.hiddenGradient, rows: step.batch)
                    }
                    MatrixProduct.multiply(
                        groups: shardGroups, aRowStride: width, aColumnStride: 1,
                        packed: weights.packedRecurrentWeights, rows: 0..<width, blocks: 0..<1,
                        panels: panels, cRowStride: hidden, accumulate: false)
                }
                clock.lap(\.recurrentBackward)
            }

            // Weight gradients of own columns, shard by shard into each shard's buffer:
            // dWaᵀ = Σ_t a_{t−1}ᵀ·dZ_t (step 0 adds nothing), dWxᵀ = Σ_t x_tᵀ·dZ_t,
            // db_x = db_a = Σ_{t,b} dZ_t.
            if !units.isEmpty {
                for shard in 0..<shardCount {
                    let workspace = workspaces[shard], n = workspace.batch, rows = steps * n
                    let gradient = gradients[shard], packed = workspace.packedGateGradients
                    let states = workspace.packedStates.operand(depth: rows - n)
                    groups[0] = RowGroup(a: states.a, c: gradient + layout.recurrentWeightsOffset, rows: hidden)
                    MatrixProduct.multiply(
                        groups: UnsafeBufferPointer(start: groups, count: 1), aRowStride: states.rowStride,
                        aColumnStride: states.columnStride, aTileStride: states.tileStride,
                        packed: packed, rows: n..<rows, blocks: 0..<blocks, panels: panels,
                        cRowStride: width, accumulate: false)
                    groups[0] = RowGroup(a: UnsafePointer(workspace.inputs),
                                         c: gradient + layout.inputWeightsOffset, rows: input)
                    MatrixProduct.multiply(
                        groups: UnsafeBufferPointer(start: groups, count: 1), aRowStride: 1, aColumnStride: input,
                        packed: packed, rows: 0..<rows, blocks: 0..<blocks, panels: panels,
                        cRowStride: width, accumulate: false)
                    for block in 0..<blocks {
                        let column = block * hidden + units.lowerBound
                        Linear.sumRows(workspace.gateGradients + column, rows: rows, columns: units.count,
                                       rowStride: width, into: gradient + layout.inputBiasOffset + column)
                        (gradient + layout.recurrentBiasOffset + column)
                            .update(from: gradient + layout.inputBiasOffset + column, count: units.count)
                    }
                }
            }
            clock.lap(\.weightGradients)
        }
    }
}
