import NeuralNetwork

/// What one run of the benchmark measures. The full run takes minutes at hidden 1024, so
/// the sizes, cells and batch counts can be narrowed to keep a run short.
struct BenchmarkOptions {
    /// Hidden sizes of the seconds-per-epoch table.
    var hiddenSizes = [64, 128, 256, 512, 1024]
    var cells: [RecurrentCellKind] = RecurrentCellKind.all
    /// Batches timed per point of the table; nil scales them with the work per batch.
    var batches: Int?
    /// Only the table (and its phases and memory), without the hidden-128 sections.
    var tableOnly = false
    /// Forces the trainer's column split on or off; nil lets it choose by the size of the weights.
    var splitByColumns: Bool?
    var dataFolder = "Notebooks/data/mnist"
    /// Only the weights' digests after a few batches (see `WeightDigests`); not in the usage
    /// line, since it checks the arithmetic rather than measuring anything.
    var printsDigests = false

    static let usage = """
        usage: recurrent-benchmark [--hidden 64,128,...] [--cells lstm,gru,rnn] [--batches N] [--split auto|on|off] [--table-only] [MNIST folder]
        """

    static func parse(_ arguments: [String]) throws(BenchmarkOptionError) -> BenchmarkOptions {
        var options = BenchmarkOptions()
        var remaining = arguments[...]
        func value(of flag: String) throws(BenchmarkOptionError) -> String {
            guard let value = remaining.popFirst() else { throw .missingValue(flag: flag) }
            return value
        }
        while let argument = remaining.popFirst() {
            switch argument {
            case "--hidden":
                let text = try value(of: argument)
                var sizes: [Int] = []
                for item in text.split(separator: ",", omittingEmptySubsequences: false) {
                    guard let size = Int(item), (1...RecurrentConfiguration.maximumSize).contains(size) else {
                        throw .badValue(flag: argument, value: String(item),
                                        expected: "hidden sizes from 1 to \(RecurrentConfiguration.maximumSize)")
                    }
                    sizes.append(size)
                }
                options.hiddenSizes = sizes
            case "--cells":
                let text = try value(of: argument)
                var cells: [RecurrentCellKind] = []
                for item in text.split(separator: ",", omittingEmptySubsequences: false) {
                    guard let cell = RecurrentCellKind.named(String(item)) else {
                        throw .badValue(flag: argument, value: String(item),
                                        expected: RecurrentCellKind.all.map(\.name).joined(separator: ", "))
                    }
                    cells.append(cell)
                }
                options.cells = cells
            case "--batches":
                let text = try value(of: argument)
                guard let count = Int(text), count > 0 else {
                    throw .badValue(flag: argument, value: text, expected: "a positive number of batches")
                }
                options.batches = count
            case "--split":
                let text = try value(of: argument)
                switch text {
                case "auto": options.splitByColumns = nil
                case "on": options.splitByColumns = true
                case "off": options.splitByColumns = false
                default: throw .badValue(flag: argument, value: text, expected: "auto, on or off")
                }
            case "--table-only":
                options.tableOnly = true
            case "--digests":
                options.printsDigests = true
            case "--help", "-h":
                throw .helpRequested
            default:
                guard !argument.hasPrefix("-") else { throw .unknownFlag(argument) }
                options.dataFolder = argument
            }
        }
        return options
    }
}

enum BenchmarkOptionError: Error, CustomStringConvertible {
    case missingValue(flag: String)
    case badValue(flag: String, value: String, expected: String)
    case unknownFlag(String)
    case helpRequested

    var description: String {
        switch self {
        case .missingValue(let flag): "\(flag) needs a value\n\(BenchmarkOptions.usage)"
        case .badValue(let flag, let value, let expected): "\(flag): '\(value)' is not valid (expected \(expected))"
        case .unknownFlag(let flag): "unknown option '\(flag)'\n\(BenchmarkOptions.usage)"
        case .helpRequested: BenchmarkOptions.usage
        }
    }
}

extension BenchmarkOptionError {
    var isHelp: Bool {
        if case .helpRequested = self { true } else { false }
    }
}
