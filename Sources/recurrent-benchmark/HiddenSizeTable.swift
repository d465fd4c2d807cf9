import Foundation
import NeuralNetwork

/// Seconds per epoch against hidden size: what a user who raises `build-model.hidden-size`
/// sees. Each point times a fixed number of training batches (batch 32, 28 steps of 28
/// inputs, 10 classes, Adam) on random data and scales to a 60,000-image epoch; figures are
/// given from wall time and from CPU time, because the machine is shared.
struct HiddenSizeTable {
    static let steps = 28, input = 28, classes = 10, batchSize = 32, epochImages = 60_000
    let threads: Int
    let kernelPeak: Double
    /// The trainer's column split forced on or off, or nil to let it choose by size.
    var splitByColumns: Bool? = nil

    struct Point {
        let wall: Double, cpu: Double, batches: Int, flopsPerSample: Double
        /// Seconds per epoch from wall time, and as an otherwise idle machine would show it.
        var wallEpoch: Double { wall / Double(batches * batchSize) * Double(epochImages) }
        func cpuEpoch(threads: Int) -> Double { cpu / Double(threads) / Double(batches * batchSize) * Double(epochImages) }
        func gflops(threads: Int) -> Double {
            Double(batches * batchSize) * flopsPerSample / (cpu / Double(threads)) / 1e9
        }
    }

    static func configuration(_ cell: RecurrentCellKind, hidden: Int) -> RecurrentConfiguration {
        RecurrentConfiguration(cell: cell, inputSize: input, hiddenSize: hidden, outputSize: classes)
    }

    /// Forward ≈ 2·(I+H)·G·H flops per sample and step plus the classifier; backward twice that.
    static func flopsPerSample(_ configuration: RecurrentConfiguration) -> Double {
        3.0 * 2.0 * Double((configuration.inputSize + configuration.hiddenSize) * configuration.gateWidth * steps
                           + configuration.hiddenSize * configuration.outputSize)
    }

    /// About 0.7 s of work per point on this machine: 300 batches at hidden 128, scaled by the work.
    static func defaultBatches(hidden: Int) -> Int {
        max(6, Int(300 * (128.0 / Double(hidden)) * (128.0 / Double(hidden))))
    }

    /// Random images and labels for `batchCount` batches, the same for every point.
    static func data(batchCount: Int) -> (images: [Float], labels: [Int32]) {
        var generator = SeededGenerator(seed: 11)
        let images = (0..<batchCount * batchSize * steps * input).map { _ in generator.nextUnitFloat() }
        let labels = (0..<batchCount * batchSize).map { _ in Int32(generator.next() % UInt64(classes)) }
        return (images, labels)
    }

    func measure(_ cell: RecurrentCellKind, hidden: Int, batches: Int, profile: Bool = false,
                 data: (images: [Float], labels: [Int32])) -> (point: Point, phases: PhaseTimes) {
        let configuration = Self.configuration(cell, hidden: hidden)
        let model = SequenceClassifier(configuration: configuration, seed: 1)
        let trainer = Trainer(model: model, learningRate: 1e-3, maxBatchSize: Self.batchSize, threads: threads,
                              maxSteps: Self.steps, splitByColumns: splitByColumns)
        let batchCount = data.labels.count / Self.batchSize
        let sampleSize = Self.steps * Self.input
        func run(_ count: Int) {
            data.images.withUnsafeBufferPointer { images in
                data.labels.withUnsafeBufferPointer { labels in
                    for index in 0..<count {
                        let batch = index % batchCount
                        _ = trainer.step(
                            images: UnsafeBufferPointer(rebasing: images[(batch * Self.batchSize * sampleSize)...]),
                            labels: UnsafeBufferPointer(rebasing: labels[(batch * Self.batchSize)...]),
                            batchSize: Self.batchSize, steps: Self.steps)
                    }
                }
            }
        }
        run(2)
        trainer.isProfiling = profile
        let time = timed { run(batches) }
        return (Point(wall: time.wall, cpu: time.cpu, batches: batches,
                      flopsPerSample: Self.flopsPerSample(configuration)), trainer.phaseTimes)
    }

    func printTable(options: BenchmarkOptions) {
        let data = Self.data(batchCount: 8)
        print("\nSeconds per epoch of 60,000 images against hidden size (batch \(Self.batchSize), \(Self.steps) steps of \(Self.input) inputs, \(threads) threads, Adam; random data; load \(loadAverage())):")
        print("| cell | hidden | batches timed | s/epoch (wall) | s/epoch (from CPU time) | GFLOP/s (CPU) | share of \(threads)× kernel peak |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for cell in options.cells {
            for hidden in options.hiddenSizes {
                let batches = options.batches ?? Self.defaultBatches(hidden: hidden)
                let point = measure(cell, hidden: hidden, batches: batches, data: data).point
                let gflops = point.gflops(threads: threads)
                print("| \(cell.name) | \(hidden) | \(batches) | \(format(point.wallEpoch)) | \(format(point.cpuEpoch(threads: threads)))"
                      + " | \(format(gflops, 1)) | \(format(100 * gflops / (kernelPeak * Double(threads)), 0))% |")
            }
        }
        print("(load average after the table: \(loadAverage()))")

        guard let largest = options.hiddenSizes.max() else { return }
        for cell in options.cells {
            let batches = max(2, (options.batches ?? Self.defaultBatches(hidden: largest)) / 2)
            let phases = measure(cell, hidden: largest, batches: batches, profile: true, data: data).phases
            print("\(cell.name) at hidden \(largest), per-phase breakdown (\(threads) threads, thread CPU time summed over threads, \(batches) batches):")
            let rows: [(String, Double)] = [
                ("input projection", phases.inputProjection), ("recurrent products (forward)", phases.recurrentForward),
                ("activations (forward)", phases.activations), ("classifier + loss", phases.classifierAndLoss),
                ("gate derivatives (backward)", phases.gateBackward), ("recurrent products (backward)", phases.recurrentBackward),
                ("weight gradients (backward)", phases.weightGradients), ("optimiser (reduce + Adam)", phases.optimiser),
            ]
            for (name, time) in rows {
                print("    \(name.padding(toLength: 32, withPad: " ", startingAt: 0)) \(format(100 * time / phases.total, 1))%   \(format(1e3 * time / Double(batches), 1)) ms CPU per batch")
            }
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print("Peak resident memory after hidden \(largest): \(format(Double(usage.ru_maxrss) / 1024, 1)) MB")
    }
}
