import Foundation
import NeuralNetwork

// Timing of the reference model's training and inference at the real shapes
// (batch 32, 28 steps, input 28, hidden 128, output 10) on synthetic data.
// Run in release: `swift run -c release lstm-benchmark`.

let configuration = LSTMConfiguration()
let steps = 28, batchSize = 32, epochImages = 60_000
let hidden = configuration.hiddenSize, gates = configuration.gateWidth, input = configuration.inputSize
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
}

/// GFLOP/s of one product shape, repeated for about a quarter of a second.
func productRate(_ shape: ProductShape) -> Double {
    let a = [Float](repeating: 0.5, count: shape.m * shape.k)
    let b = [Float](repeating: 0.25, count: shape.k * shape.n)
    var c = [Float](repeating: 0, count: shape.m * shape.n)
    let flops = 2.0 * Double(shape.m * shape.n * shape.k)
    let repetitions = max(1, Int(5e9 / flops))
    let time = a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                timedThread {
                    for _ in 0..<repetitions {
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
    ProductShape(label: "recurrent forward a·Waᵀ   ", m: shard, n: gates, k: hidden, transposedA: false),
    ProductShape(label: "recurrent backward dZ·Wa  ", m: shard, n: hidden, k: gates, transposedA: false),
    ProductShape(label: "weight gradient   Aᵀ·dZ   ", m: hidden, n: gates, k: steps * shard, transposedA: true),
    ProductShape(label: "weight gradient   Xᵀ·dZ   ", m: input, n: gates, k: steps * shard, transposedA: true),
        ProductShape(label: "reference 32×160×512      ", m: 32, n: gates, k: 160, transposedA: false),
]
print("Matrix products (one core, GFLOP/s from thread CPU time):")
var kernelPeak = 0.0
for shape in shapes {
    let rate = productRate(shape)
    kernelPeak = max(kernelPeak, rate)
    print("  \(shape.label) \(shape.m)×\(shape.k)·\(shape.k)×\(shape.n)\(shape.transposedA ? " (Aᵀ)" : "")  \(format(rate, 1))")
}
print("  measured kernel peak (best of the above): \(format(kernelPeak, 1)) GFLOP/s per core")

// MARK: Training

var generator = SeededGenerator(seed: 7)
let batchCount = 12
let images = (0..<batchCount * batchSize * steps * input).map { _ in generator.nextUnitFloat() }
let labels = (0..<batchCount * batchSize).map { _ in Int32(generator.next() % 10) }

/// Forward ≈ 2·(I+H)·4H flops per sample and step (plus the classifier); backward twice that.
let flopsPerSample = 3.0 * 2.0 * Double((input + hidden) * gates * steps + hidden * configuration.outputSize)

func trainingRate(threads: Int, steps measured: Int, profile: Bool) -> (wall: Double, cpu: Double, phases: PhaseTimes) {
    let model = DigitClassification(configuration: configuration, seed: 1)
    let trainer = Trainer(model: model, learningRate: 1e-3, maxBatchSize: batchSize, threads: threads)
    func run(_ count: Int) {
        images.withUnsafeBufferPointer { images in
            labels.withUnsafeBufferPointer { labels in
                for index in 0..<count {
                    let batch = index % batchCount
                    _ = trainer.step(
                        images: UnsafeBufferPointer(rebasing: images[(batch * batchSize * steps * input)...]),
                        labels: UnsafeBufferPointer(rebasing: labels[(batch * batchSize)...]),
                        batchSize: batchSize)
                }
            }
        }
    }
    run(5)
    trainer.isProfiling = profile
    let time = timed { run(measured) }
    return (time.wall, time.cpu, trainer.phaseTimes)
}

print("\nTraining (batch \(batchSize), \(steps) steps, hidden \(hidden), Adam; \(format(flopsPerSample / 1e6, 1)) MFLOP per sample):")
let measuredSteps = 300
for threads in [1, 2] {
    let time = trainingRate(threads: threads, steps: measuredSteps, profile: false)
    let samples = Double(measuredSteps * batchSize)
    let wallRate = samples / time.wall
    // With the cores to ourselves the wall time would be the CPU time spread over the threads.
    let idleRate = samples / (time.cpu / Double(threads))
    let gflops = idleRate * flopsPerSample / 1e9
    print("  \(threads) thread\(threads == 1 ? " " : "s"): wall \(format(wallRate, 0)) samples/s = \(format(Double(epochImages) / wallRate)) s per epoch of 60,000;"
        + " from CPU time \(format(idleRate, 0)) samples/s = \(format(Double(epochImages) / idleRate)) s per epoch,"
        + " \(format(gflops, 1)) GFLOP/s = \(format(100 * gflops / (kernelPeak * Double(threads)), 0))% of \(threads)× kernel peak")
}

let profiled = trainingRate(threads: 1, steps: 150, profile: true).phases
print("\nPer-phase breakdown (one thread, thread CPU time, share of step time):")
let phases: [(String, Double)] = [
    ("input projection", profiled.inputProjection), ("recurrent products (forward)", profiled.recurrentForward),
    ("activations (forward)", profiled.activations), ("classifier + loss", profiled.classifierAndLoss),
    ("gate derivatives (backward)", profiled.gateBackward), ("recurrent products (backward)", profiled.recurrentBackward),
    ("weight gradients (backward)", profiled.weightGradients), ("optimiser (reduce + Adam)", profiled.optimiser),
]
for (name, time) in phases {
    print("  \(name.padding(toLength: 32, withPad: " ", startingAt: 0)) \(format(100 * time / profiled.total, 1))%   \(format(1e6 * time / 150, 0)) µs per batch")
}

// MARK: Inference

let testCount = 10_000
let testImages = (0..<testCount * steps * input).map { _ in generator.nextUnitFloat() }
let model = DigitClassification(configuration: configuration, seed: 3)
print("\nInference of \(testCount) images:")
for threads in [1, 2] {
    _ = testImages.withUnsafeBufferPointer { model.predict(images: UnsafeBufferPointer(rebasing: $0[0..<(640 * steps * input)]), count: 640, threads: threads) }
    let time = timed {
        _ = testImages.withUnsafeBufferPointer { model.predict(images: $0, count: testCount, threads: threads) }
    }
    print("  \(threads) thread\(threads == 1 ? " " : "s"): wall \(format(time.wall, 3)) s; from CPU time \(format(time.cpu / Double(threads), 3)) s")
}

// Forward-only phases over the same images, one 16-image workspace on one thread.
let inferenceWorkspace = LSTMWorkspace(configuration: configuration, maxBatch: 16, maxSteps: steps, supportsBackward: false)
inferenceWorkspace.isProfiling = true
testImages.withUnsafeBufferPointer { images in
    for first in stride(from: 0, to: testCount, by: 16) {
        inferenceWorkspace.forward(sequences: images.baseAddress! + first * steps * input, batch: min(16, testCount - first),
                                   steps: steps, weights: model.weights)
    }
}
let forwardPhases = inferenceWorkspace.phaseTimes
print("  forward phases (one thread, CPU): input projection \(format(forwardPhases.inputProjection, 3)) s, recurrent products \(format(forwardPhases.recurrentForward, 3)) s, activations \(format(forwardPhases.activations, 3)) s, classifier \(format(forwardPhases.classifierAndLoss, 3)) s")

var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
print("\nLoad average at end: \(loadAverage())")
print("Peak resident memory: \(format(Double(usage.ru_maxrss) / 1024, 1)) MB")
