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

func format(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

// MARK: Matrix products

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
                seconds {
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
    ProductShape(label: "inference recurrent (64)  ", m: 64, n: gates, k: hidden, transposedA: false),
    ProductShape(label: "reference 32×160×512      ", m: 32, n: gates, k: 160, transposedA: false),
]
print("Matrix products (one core, GFLOP/s):")
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

func trainingRate(threads: Int, steps measured: Int, profile: Bool) -> (samplesPerSecond: Double, phases: PhaseTimes) {
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
    let time = seconds { run(measured) }
    return (Double(measured * batchSize) / time, trainer.phaseTimes)
}

print("\nTraining (batch \(batchSize), \(steps) steps, hidden \(hidden), Adam; \(format(flopsPerSample / 1e6, 1)) MFLOP per sample):")
var samplesPerSecond: [Int: Double] = [:]
for threads in [1, 2] {
    let rate = trainingRate(threads: threads, steps: 300, profile: false).samplesPerSecond
    samplesPerSecond[threads] = rate
    let gflops = rate * flopsPerSample / 1e9
    print("  \(threads) thread\(threads == 1 ? " " : "s"): \(format(rate, 0)) samples/s, \(format(Double(epochImages) / rate)) s per epoch of 60,000, \(format(gflops, 1)) GFLOP/s = \(format(100 * gflops / (kernelPeak * Double(threads)), 0))% of \(threads)× kernel peak")
}

let profiled = trainingRate(threads: 1, steps: 150, profile: true).phases
print("\nPer-phase breakdown (one thread, share of step time):")
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
    let time = seconds {
        _ = testImages.withUnsafeBufferPointer { model.predict(images: $0, count: testCount, threads: threads) }
    }
    print("  \(threads) thread\(threads == 1 ? " " : "s"): \(format(time, 3)) s")
}

var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
print("\nPeak resident memory: \(format(Double(usage.ru_maxrss) / 1024, 1)) MB")
