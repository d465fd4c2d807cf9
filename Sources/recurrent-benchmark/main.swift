import Foundation
import MNIST
import NeuralNetwork

// Timing of the reference model's training and inference at the real shapes (batch 32,
// 28 steps, input 28, hidden 128, output 10) for the LSTM, the GRU and the plain RNN:
// kernels and phases on synthetic data, then one real epoch of MNIST per cell.
// Then seconds per epoch against hidden size (64 to 1024) for each cell at 2 threads.
// Run in release: `swift run -c release recurrent-benchmark [options] [MNIST folder]`
// (default folder: Notebooks/data/mnist); `--help` lists the options.

let options: BenchmarkOptions
do throws(BenchmarkOptionError) {
    options = try BenchmarkOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    print(error.description)
    exit(error.isHelp ? 0 : 2)
}

if options.printsDigests {
    WeightDigests.printDigests(options: options)
    exit(0)
}

let cells = options.cells
func configuration(_ cell: RecurrentCellKind) -> RecurrentConfiguration {
    RecurrentConfiguration(cell: cell, inputSize: 28, hiddenSize: 128, outputSize: 10)
}
let steps = 28, batchSize = 32, epochImages = 60_000
let hidden = 128, input = 28
let gates = configuration(.lstm).gateWidth
let shard = Trainer.shardSize

func seconds(_ body: () -> Void) -> Double {
    let start = Date()
    body()
    return Date().timeIntervalSince(start)
}

/// CPU seconds of the calling thread, or of the whole process.
func cpuSeconds(_ clock: clockid_t) -> Double {
    var time = timespec()
    clock_gettime(clock, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// Wall and process-CPU seconds of `body`.
func timed(_ body: () -> Void) -> (wall: Double, cpu: Double) {
    let cpuStart = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID)
    let wall = seconds(body)
    return (wall, cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - cpuStart)
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "n/a"
}

// The machine is shared: wall-clock figures include time other processes take from us,
// so each figure is also given from CPU time (what an otherwise idle machine would show).
print("Load average at start: \(loadAverage()) (\(ProcessInfo.processInfo.activeProcessorCount) cores)")

func format(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

// MARK: Matrix products

/// Thread CPU seconds of `body` (kernel rates are per core, so descheduled time is excluded).
func timedThread(_ body: () -> Void) -> Double {
    let start = cpuSeconds(CLOCK_THREAD_CPUTIME_ID)
    body()
    return cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - start
}

struct ProductShape {
    let label: String, m: Int, n: Int, k: Int, transposedA: Bool
    /// B read from packed panels, as the cells' per-step recurrent products read the weights;
    /// with `transposedA`, A packed into 8-row tiles too, as the weight gradients read the states.
    var packed = false
    /// A and C in this many groups of m rows each (a split pass's shards), B packed.
    var groups = 1
}

/// GFLOP/s of one product shape, repeated for about a quarter of a second.
func productRate(_ shape: ProductShape) -> Double {
    let a = [Float](repeating: 0.5, count: shape.groups * shape.m * shape.k)
    let b = [Float](repeating: 0.25, count: shape.k * shape.n)
    var c = [Float](repeating: 0, count: shape.groups * shape.m * shape.n)
    let flops = 2.0 * Double(shape.groups * shape.m * shape.n * shape.k)
    let repetitions = max(1, Int(5e9 / flops))
    let packed = PackedPanels(depth: shape.k, blockWidth: shape.n, blockCount: 1)
    b.withUnsafeBufferPointer { packed.pack(from: $0.baseAddress!, rowStride: shape.n) }
    let tiles = PackedRowTiles(maxRows: shape.transposedA ? shape.m : 0, maxDepth: shape.transposedA ? shape.k : 0)
    if shape.transposedA {
        a.withUnsafeBufferPointer { tiles.pack(transposedFrom: $0.baseAddress!, rowStride: shape.m, rows: shape.m, depth: shape.k) }
    }
    let time = a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                timedThread {
                    var groups = (0..<shape.groups).map { group in
                        RowGroup(a: a.baseAddress! + group * shape.m * shape.k,
                                 c: c.baseAddress! + group * shape.m * shape.n, rows: shape.m)
                    }
                    for _ in 0..<repetitions where shape.groups > 1 {
                        groups.withUnsafeMutableBufferPointer { groups in
                            MatrixProduct.multiply(
                                groups: UnsafeBufferPointer(groups), aRowStride: shape.k, aColumnStride: 1,
                                packed: packed, rows: 0..<shape.k, blocks: 0..<1, panels: 0..<packed.panelsPerBlock,
                                cRowStride: shape.n, accumulate: true)
                        }
                    }
                    for _ in 0..<repetitions where shape.packed && shape.groups == 1 && !shape.transposedA {
                        MatrixProduct.multiply(
                            m: shape.m, a: a.baseAddress!, aRowStride: shape.k, aColumnStride: 1,
                            packed: packed, rows: 0..<shape.k, blocks: 0..<1,
                            c: c.baseAddress!, cRowStride: shape.n, accumulate: true)
                    }
                    let operand = tiles.operand(depth: shape.k)
                    for _ in 0..<repetitions where shape.packed && shape.groups == 1 && shape.transposedA {
                        MatrixProduct.multiply(
                            m: shape.m, a: operand.a, aRowStride: operand.rowStride, aColumnStride: operand.columnStride,
                            aTileStride: operand.tileStride, packed: packed, rows: 0..<shape.k, blocks: 0..<1,
                            c: c.baseAddress!, cRowStride: shape.n, accumulate: false)
                    }
                    for _ in 0..<repetitions where !shape.packed {
                        MatrixProduct.multiply(
                            m: shape.m, n: shape.n, k: shape.k, a: a.baseAddress!,
                            aRowStride: shape.transposedA ? 1 : shape.k,
                            aColumnStride: shape.transposedA ? shape.m : 1,
                            b: b.baseAddress!, bRowStride: shape.n, c: c.baseAddress!, cRowStride: shape.n,
                            accumulate: true)
                    }
                }
            }
        }
    }
    return flops * Double(repetitions) / time / 1e9
}

let shapes = [
    ProductShape(label: "input projection  X·Wxᵀ   ", m: steps * shard, n: gates, k: input, transposedA: false),
    ProductShape(label: "recurrent forward a·Waᵀ   ", m: shard, n: gates, k: hidden, transposedA: false, packed: true),
    ProductShape(label: "recurrent backward dZ·Wa  ", m: shard, n: hidden, k: gates, transposedA: false, packed: true),
    ProductShape(label: "weight gradient   Aᵀ·dZ   ", m: hidden, n: gates, k: steps * shard, transposedA: true, packed: true),
    ProductShape(label: "weight gradient   Xᵀ·dZ   ", m: input, n: gates, k: steps * shard, transposedA: true),
    ProductShape(label: "reference 32×160×512      ", m: 32, n: gates, k: 160, transposedA: false),
] + options.hiddenSizes.filter { $0 >= 256 }.map { size in
    ProductShape(label: "recurrent forward, H \(size)".padding(toLength: 26, withPad: " ", startingAt: 0),
                 m: shard, n: 4 * size, k: size, transposedA: false, packed: true)
} + options.hiddenSizes.filter { $0 >= 256 }.map { size in
    // One thread's share of a column-split step: all 32 sequences, half the columns.
    ProductShape(label: "split half, H \(size)".padding(toLength: 26, withPad: " ", startingAt: 0),
                 m: shard, n: 2 * size, k: size, transposedA: false, packed: true, groups: batchSize / shard)
} + options.hiddenSizes.filter { $0 >= 256 }.map { size in
    ProductShape(label: "weight gradient, H \(size)".padding(toLength: 26, withPad: " ", startingAt: 0),
                 m: size, n: 4 * size, k: (steps - 1) * shard, transposedA: true, packed: true)
}
print("Matrix products (one core, GFLOP/s from thread CPU time):")
var kernelPeak = 0.0
for shape in shapes {
    let rate = productRate(shape)
    kernelPeak = max(kernelPeak, rate)
    let rows = shape.groups > 1 ? "\(shape.groups)×" : ""
    print("  \(shape.label) \(rows)\(shape.m)×\(shape.k)·\(shape.k)×\(shape.n)\(shape.transposedA ? " (Aᵀ)" : "")  \(format(rate, 1))")
}
print("  measured kernel peak (best of the above): \(format(kernelPeak, 1)) GFLOP/s per core")

if !options.tableOnly {
// MARK: Training

var generator = SeededGenerator(seed: 7)
let batchCount = 12
let images = (0..<batchCount * batchSize * steps * input).map { _ in generator.nextUnitFloat() }
let labels = (0..<batchCount * batchSize).map { _ in Int32(generator.next() % 10) }

/// Forward ≈ 2·(I+H)·G·H flops per sample and step (plus the classifier); backward twice that.
func flopsPerSample(_ cell: RecurrentCellKind) -> Double {
    let sizes = configuration(cell)
    return 3.0 * 2.0 * Double((input + hidden) * sizes.gateWidth * steps + hidden * sizes.outputSize)
}

func trainingRate(
    _ cell: RecurrentCellKind, threads: Int, steps measured: Int, profile: Bool
) -> (wall: Double, cpu: Double, phases: PhaseTimes) {
    let model = SequenceClassifier(configuration: configuration(cell), seed: 1)
    let trainer = Trainer(model: model, learningRate: 1e-3, maxBatchSize: batchSize, threads: threads, maxSteps: steps)
    func run(_ count: Int) {
        images.withUnsafeBufferPointer { images in
            labels.withUnsafeBufferPointer { labels in
                for index in 0..<count {
                    let batch = index % batchCount
                    _ = trainer.step(
                        images: UnsafeBufferPointer(rebasing: images[(batch * batchSize * steps * input)...]),
                        labels: UnsafeBufferPointer(rebasing: labels[(batch * batchSize)...]),
                        batchSize: batchSize, steps: steps)
                }
            }
        }
    }
    run(5)
    trainer.isProfiling = profile
    let time = timed { run(measured) }
    return (time.wall, time.cpu, trainer.phaseTimes)
}

let measuredSteps = 300
for cell in cells {
    let flops = flopsPerSample(cell)
    print("\nTraining \(cell.name) (batch \(batchSize), \(steps) steps, hidden \(hidden), Adam; \(format(flops / 1e6, 1)) MFLOP per sample), synthetic data:")
    for threads in [1, 2] {
        let time = trainingRate(cell, threads: threads, steps: measuredSteps, profile: false)
        let samples = Double(measuredSteps * batchSize)
        let wallRate = samples / time.wall
        // With the cores to ourselves the wall time would be the CPU time spread over the threads.
        let idleRate = samples / (time.cpu / Double(threads))
        let gflops = idleRate * flops / 1e9
        print("  \(threads) thread\(threads == 1 ? " " : "s"): wall \(format(wallRate, 0)) samples/s = \(format(Double(epochImages) / wallRate)) s per epoch of 60,000;"
            + " from CPU time \(format(idleRate, 0)) samples/s = \(format(Double(epochImages) / idleRate)) s per epoch,"
            + " \(format(gflops, 1)) GFLOP/s = \(format(100 * gflops / (kernelPeak * Double(threads)), 0))% of \(threads)× kernel peak")
    }

    let profiled = trainingRate(cell, threads: 1, steps: 150, profile: true).phases
    print("  Per-phase breakdown (one thread, thread CPU time, share of step time):")
    let phases: [(String, Double)] = [
        ("input projection", profiled.inputProjection), ("recurrent products (forward)", profiled.recurrentForward),
        ("activations (forward)", profiled.activations), ("classifier + loss", profiled.classifierAndLoss),
        ("gate derivatives (backward)", profiled.gateBackward), ("recurrent products (backward)", profiled.recurrentBackward),
        ("weight gradients (backward)", profiled.weightGradients), ("optimiser (reduce + Adam)", profiled.optimiser),
    ]
    for (name, time) in phases {
        print("    \(name.padding(toLength: 32, withPad: " ", startingAt: 0)) \(format(100 * time / profiled.total, 1))%   \(format(1e6 * time / 150, 0)) µs per batch")
    }
}

// MARK: One real epoch per cell

let dataFolder = URL(fileURLWithPath: options.dataFolder)
if let training = try? MNISTDataset.load(.training, from: dataFolder) {
    print("\nOne epoch of the \(training.count) MNIST training images per cell (batch \(batchSize), 2 threads, seed 0):")
    let loader = MNISTLoader(dataset: training, batchSize: batchSize, shuffle: true, seed: 0)
    let epoch = loader.epoch(0)
    let images = UnsafeMutableBufferPointer<Float>.allocate(capacity: batchSize * training.pixelsPerImage)
    let labels = UnsafeMutableBufferPointer<Int32>.allocate(capacity: batchSize)
    var epochTimes: [String: (wall: Double, cpu: Double)] = [:]
    for cell in cells {
        let model = SequenceClassifier(configuration: configuration(cell), seed: 0)
        let trainer = Trainer(model: model, learningRate: 1e-3, maxBatchSize: batchSize, threads: 2, maxSteps: steps)
        var lastLoss: Float = 0
        let time = timed {
            for batch in 0..<epoch.batchCount {
                let count = epoch.fill(batch: batch, images: images, labels: labels)
                lastLoss = trainer.step(images: UnsafeBufferPointer(images), labels: UnsafeBufferPointer(labels),
                                        batchSize: count, steps: steps)
            }
        }
        epochTimes[cell.name] = time
        print("  \(cell.name.padding(toLength: 4, withPad: " ", startingAt: 0)) wall \(format(time.wall)) s per epoch, CPU \(format(time.cpu)) s (both threads), last batch loss \(format(Double(lastLoss), 4))")
    }
    images.deallocate()
    labels.deallocate()
    for cell in ["GRU", "RNN"] {
        guard let lstm = epochTimes["LSTM"], let time = epochTimes[cell] else { continue }
        print("  \(cell)/LSTM: \(format(time.wall / lstm.wall)) wall, \(format(time.cpu / lstm.cpu)) CPU")
    }
} else {
    print("\n(No MNIST in \(dataFolder.path): skipping the real epochs.)")
}

// Bit-identical weights whatever the thread count, for every cell (20 steps of synthetic batches).
// Cells that can split each step by columns also give the same bits split that way.
print("\nWeights after 20 steps, FNV-1a digest by thread count (and split by sequences / by columns):")
for cell in cells {
    let runs = [(1, false), (2, false), (1, true), (2, true)]
    let digests = runs.map { threads, split -> String in
        let model = SequenceClassifier(configuration: configuration(cell), seed: 1)
        let trainer = Trainer(model: model, learningRate: 1e-3, maxBatchSize: batchSize, threads: threads,
                              maxSteps: steps, splitByColumns: split)
        images.withUnsafeBufferPointer { images in
            labels.withUnsafeBufferPointer { labels in
                for index in 0..<20 {
                    let batch = index % batchCount
                    _ = trainer.step(
                        images: UnsafeBufferPointer(rebasing: images[(batch * batchSize * steps * input)...]),
                        labels: UnsafeBufferPointer(rebasing: labels[(batch * batchSize)...]),
                        batchSize: batchSize, steps: steps)
                }
            }
        }
        return digest(model)
    }
    let identical = Set(digests).count == 1
    print("  \(cell.name): by sequences 1 thread \(digests[0]), 2 threads \(digests[1]); by columns 1 thread \(digests[2]), 2 threads \(digests[3])\(identical ? " (identical)" : " (DIFFERENT)")")
}

// MARK: Inference

let testCount = 10_000
let testImages = (0..<testCount * steps * input).map { _ in generator.nextUnitFloat() }
let model = SequenceClassifier(configuration: configuration(.lstm), seed: 3)
print("\nLSTM inference of \(testCount) images:")
for threads in [1, 2] {
    _ = testImages.withUnsafeBufferPointer { model.predict(sequences: UnsafeBufferPointer(rebasing: $0[0..<(640 * steps * input)]), count: 640, steps: steps, threads: threads) }
    let time = timed {
        _ = testImages.withUnsafeBufferPointer { model.predict(sequences: $0, count: testCount, steps: steps, threads: threads) }
    }
    print("  \(threads) thread\(threads == 1 ? " " : "s"): wall \(format(time.wall, 3)) s; from CPU time \(format(time.cpu / Double(threads), 3)) s")
}

// Forward-only phases over the same images, one 16-image workspace on one thread.
let inferenceWorkspace = SequenceWorkspace(configuration: configuration(.lstm), maxBatch: 16, maxSteps: steps, supportsBackward: false)
inferenceWorkspace.isProfiling = true
testImages.withUnsafeBufferPointer { images in
    for first in stride(from: 0, to: testCount, by: 16) {
        inferenceWorkspace.forward(sequences: images.baseAddress! + first * steps * input, batch: min(16, testCount - first),
                                   steps: steps, weights: model.weights)
    }
}
let forwardPhases = inferenceWorkspace.phaseTimes
print("  forward phases (one thread, CPU): input projection \(format(forwardPhases.inputProjection, 3)) s, recurrent products \(format(forwardPhases.recurrentForward, 3)) s, activations \(format(forwardPhases.activations, 3)) s, classifier \(format(forwardPhases.classifierAndLoss, 3)) s")

}

HiddenSizeTable(threads: 2, kernelPeak: kernelPeak, splitByColumns: options.splitByColumns).printTable(options: options)

var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
print("\nLoad average at end: \(loadAverage())")
print("Peak resident memory: \(format(Double(usage.ru_maxrss) / 1024, 1)) MB")
