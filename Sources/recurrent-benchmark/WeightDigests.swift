import NeuralNetwork

/// FNV-1a over the bit patterns of every parameter: equal digests mean bit-identical weights.
func digest(_ model: SequenceClassifier) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for parameter in model.namedParameters {
        for value in parameter.values {
            var bits = value.bitPattern
            for _ in 0..<4 {
                hash = (hash ^ UInt64(bits & 0xff)) &* 0x100_0000_01b3
                bits >>= 8
            }
        }
    }
    return String(hash, radix: 16)
}

/// `--digests`: the weights' digest after a few training batches for every chosen cell and
/// hidden size, on 1 and 2 threads, split by sequences and (forced) by columns. A change
/// that must keep the arithmetic (a refactoring of the kernels) is checked by running this
/// before and after it and comparing the lines.
enum WeightDigests {
    static let batches = 3

    static func printDigests(options: BenchmarkOptions) {
        let data = HiddenSizeTable.data(batchCount: batches)
        let batchSize = HiddenSizeTable.batchSize, steps = HiddenSizeTable.steps
        let sampleSize = steps * HiddenSizeTable.input
        print("Weights after \(batches) batches, FNV-1a digest (threads, split by columns):")
        for cell in options.cells {
            for hidden in options.hiddenSizes {
                var line = "  \(cell.name) hidden \(hidden):"
                for split in [false, true] {
                    for threads in [1, 2] {
                        let model = SequenceClassifier(
                            configuration: HiddenSizeTable.configuration(cell, hidden: hidden), seed: 1)
                        let trainer = Trainer(model: model, learningRate: 1e-3, maxBatchSize: batchSize,
                                              threads: threads, maxSteps: steps, splitByColumns: split)
                        data.images.withUnsafeBufferPointer { images in
                            data.labels.withUnsafeBufferPointer { labels in
                                for batch in 0..<batches {
                                    _ = trainer.step(
                                        images: UnsafeBufferPointer(rebasing: images[(batch * batchSize * sampleSize)...]),
                                        labels: UnsafeBufferPointer(rebasing: labels[(batch * batchSize)...]),
                                        batchSize: batchSize, steps: steps)
                                }
                            }
                        }
                        line += " \(threads)t/\(split ? "columns" : "sequences") \(digest(model))"
                    }
                }
                print(line)
            }
        }
    }
}
