import Foundation
@testable import NeuralNetwork
import SeededRandom
import Testing

/// Random safetensors files: headers with random names (control characters included),
/// dtypes, shapes (zero, huge, overflowing, negative), offsets (overlapping, out of range,
/// huge), length fields and data sizes, plus mutations of valid model files. Every input
/// must be read or refused with a typed error naming the file and free of raw control
/// characters; anything accepted must be consistent; and the model loader must never size
/// a model beyond what the file's own bytes hold, which is what makes a small file unable
/// to force a huge allocation. `NBRUN_FUZZ_ITERATIONS` (default 3000) scales it;
/// `NBRUN_FUZZ_SEED` replays a run.
@Suite struct SafetensorsFuzzTests {
    static let source = "fuzz.safetensors"
    static let names = [
        "LSTM.LSTMCell.x_t.weight", "LSTM.LSTMCell.x_t.bias", "LSTM.LSTMCell.a_t.weight", "classifier.weight",
        "classifier.bias", "adam.m.classifier.bias", "__metadata__", "", "w", "evil\u{1B}[2J", "a\u{0}b", "\u{202E}x", "é",
    ]
    static let dtypes = ["F32", "F32", "F32", "F16", "I64", "f32", "", "BOOL"]
    static let dimensions = [0, 1, 2, 3, 4, 10, 28, 4096, 4097, 100_000, 1 << 31, 1 << 62, Int.max, -1]

    static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            default: result += scalar.value < 0x20 ? String(format: "\\u%04x", scalar.value) : String(scalar)
            }
        }
        return result + "\""
    }

    /// A file from parts that are each sometimes wrong.
    static func generated(using random: inout SplitMix64) -> Data {
        var entries: [String] = []
        var offset = 0
        for _ in 0..<Int.random(in: 0...5, using: &random) {
            let rank = Int.random(in: 0...3, using: &random)
            let shape: [Int] = (0..<rank).map { _ in
                Int.random(in: 0..<4, using: &random) == 0
                    ? dimensions.randomElement(using: &random)! : Int.random(in: 0...6, using: &random)
            }
            let (product, overflow) = shape.reduce((4, false)) { partial, dimension in
                let (value, flag) = partial.0.multipliedReportingOverflow(by: dimension)
                return (value, partial.1 || flag)
            }
            var begin = offset, end = overflow || product < 0 ? offset : offset &+ product
            switch Int.random(in: 0..<10, using: &random) {
            case 0: begin = Int.random(in: -8...(offset + 8), using: &random)
            case 1: end = [Int.max, 1 << 53, end &+ 4, end &- 4, 0].randomElement(using: &random)!
            default: break
            }
            offset = max(offset, min(end, 1 << 16))
            let shapeText = shape.map(String.init).joined(separator: ",")
            var entry = "\(jsonString(names.randomElement(using: &random)!)):{\"dtype\":\(jsonString(dtypes.randomElement(using: &random)!)),"
                + "\"shape\":[\(shapeText)],\"data_offsets\":[\(begin),\(end)]}"
            if Int.random(in: 0..<20, using: &random) == 0 { entry = "\"x\":[1,2]" }
            entries.append(entry)
        }
        if Int.random(in: 0..<5, using: &random) == 0 {
            entries.append("\"__metadata__\":{\"step\":\(Bool.random(using: &random) ? "\"7\"" : "7")}")
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        if Int.random(in: 0..<10, using: &random) == 0, !header.isEmpty {
            header.remove(at: Int.random(in: 0..<header.count, using: &random))
        }
        var dataCount = min(offset, 1 << 16)
        if Int.random(in: 0..<6, using: &random) == 0 { dataCount = max(0, dataCount + Int.random(in: -8...8, using: &random)) }
        var length = UInt64(header.count)
        switch Int.random(in: 0..<12, using: &random) {
        case 0: length = UInt64.random(in: 0...UInt64.max, using: &random)
        case 1: length = UInt64(max(0, header.count + Int.random(in: -4...4, using: &random)))
        case 2: length = 100_000_001
        default: break
        }
        var data = Data()
        withUnsafeBytes(of: length.littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        var word = random.next()
        data.append(contentsOf: (0..<dataCount).map { index in
            if index % 8 == 0 { word = random.next() }
            return UInt8(truncatingIfNeeded: word >> (8 * UInt64(index % 8)))
        })
        return data
    }

    /// A valid small model file, then a few bytes of it changed.
    static func mutatedModel(using random: inout SplitMix64) -> Data {
        let hidden = Int.random(in: 1...3, using: &random)
        let model = SequenceClassifier(configuration: RecurrentConfiguration(cell: .lstm, inputSize: 2, hiddenSize: hidden, outputSize: 3),
                                        seed: random.next())
        var bytes = [UInt8](SafetensorsFile(tensors: model.namedParameters.map {
            SafetensorsFile.Tensor(name: $0.name, shape: $0.shape, values: $0.values)
        }).encoded())
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            let index = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes[index] = Array("0123456789[],\"".utf8).randomElement(using: &random)!
            case 2: bytes.removeSubrange(index..<min(bytes.count, index + Int.random(in: 1...8, using: &random)))
            default: bytes.insert(contentsOf: Array("9999999999".utf8.prefix(Int.random(in: 1...10, using: &random))), at: index)
            }
            if bytes.isEmpty { break }
        }
        return Data(bytes)
    }

    /// Checks one input; returns whether it was accepted.
    static func check(_ data: Data, iteration: Int, seed: UInt64, file: URL?) -> Bool {
        let context = "iteration \(iteration) (seed \(seed))"
        do {
            let parsed = try SafetensorsFile(data: data, source: source)
            for tensor in parsed.tensors {
                #expect(tensor.shape.reduce(1, *) == tensor.values.count, "\(context): \(tensor.name)")
            }
            // The model loader's header checks, then its size bound: a model it would
            // allocate never needs more parameters than the file holds floats.
            let headerLength = Int(data.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
            let header = try SafetensorsHeader(json: data[8..<(8 + headerLength)], dataStart: 8 + headerLength,
                                               dataByteCount: data.count - 8 - headerLength, source: source)
            if let configuration = try? SequenceClassifier.inferredConfiguration(of: header, path: source),
               (try? SequenceClassifier.strictEntries(of: header, path: source, prefix: "",
                                                       layout: ParameterLayout(configuration: configuration))) != nil {
                let floats = (data.count - 8 - headerLength) / 4
                #expect(ParameterLayout(configuration: configuration).parameterCount <= floats, "\(context)")
            }
            if let file {
                try data.write(to: file)
                do {
                    let model = try SequenceClassifier.loadSafetensors(from: file)
                    let finite = UnsafeBufferPointer(model.weights.parameters).allSatisfy { $0.isFinite }
                    #expect(finite, "\(context)")
                } catch {
                    expectReadable(error.description, context)
                }
            }
            return true
        } catch let error as SafetensorsError {
            expectReadable(error.description, context)
            return false
        } catch {
            Issue.record("\(context): untyped error \(error)")
            return false
        }
    }

    static func expectReadable(_ description: String, _ context: String) {
        #expect(description.contains(source), "\(context): \(description)")
        #expect(!description.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0.value == 0x202E },
                "\(context): raw control characters in \(description.debugDescription)")
    }

    @Test func randomHeadersShapesAndOffsetsNeverCrash() throws {
        let iterations = Int(ProcessInfo.processInfo.environment["NBRUN_FUZZ_ITERATIONS"] ?? "") ?? 3000
        let seed = UInt64(ProcessInfo.processInfo.environment["NBRUN_FUZZ_SEED"] ?? "") ?? 20_261_126
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nn-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent(Self.source)
        var random = SplitMix64(seed: seed)
        var accepted = 0
        let start = Date()
        for iteration in 0..<iterations {
            let data = Bool.random(using: &random) ? Self.generated(using: &random) : Self.mutatedModel(using: &random)
            // One input in 20 also goes through the file reader and the model loader.
            let viaFile = Int.random(in: 0..<20, using: &random) == 0
            if Self.check(data, iteration: iteration, seed: seed, file: viaFile ? file : nil) { accepted += 1 }
        }
        print("safetensors fuzz: \(iterations) inputs (seed \(seed)), \(accepted) accepted, \(iterations - accepted) refused, \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        #expect(accepted > 0 && accepted < iterations)
    }
}
