/// SplitMix64 (Steele, Lea and Flood, 2014): a 64-bit counter advanced by the golden
/// gamma 0x9E3779B97F4A7C15, each value passed through a fixed avalanche mix.
///
/// Ours rather than the standard library's generators so that a seed gives the same
/// shuffle on every platform and toolchain, which resuming a training run relies on. The
/// one copy in the package: MNIST's batch order, the network's seeding of xoshiro256**
/// (`SeededGenerator`) and the tests' fuzzers all draw from it.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The avalanche step alone: every input bit affects every output bit.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<bound` by Lemire's multiply-and-reject method, written
    /// out here (not `Int.random(in:using:)`) so the sequence cannot change with the toolchain.
    public mutating func uniform(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "SplitMix64.uniform needs a positive bound")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }
}
