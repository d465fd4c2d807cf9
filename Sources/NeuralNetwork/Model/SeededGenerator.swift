import SeededRandom

/// The project's reproducible random number generator: xoshiro256** seeded by SplitMix64.
///
/// Algorithm (Blackman & Vigna): the 256-bit state s0…s3 is filled with four successive
/// outputs of SplitMix64 started at `seed` (so nearby seeds give unrelated streams and the
/// all-zero state cannot occur). Each `next()` returns rotl(s1 · 5, 7) · 9 and advances the
/// state with the xoshiro shift/xor/rotate step. The whole state is exposed through
/// `state` / `init(state:)` so a training run can checkpoint the generator and resume
/// bit-identically.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
    // Four stored words rather than an array: `next()` is called per initialised weight and
    // per shuffled index, and an array would put the state behind a heap reference.
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// The 256-bit state as [s0, s1, s2, s3], for checkpoints (see `init(state:)`).
    public var state: [UInt64] { [s0, s1, s2, s3] }

    public init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        s0 = seeder.next()
        s1 = seeder.next()
        s2 = seeder.next()
        s3 = seeder.next()
    }

    /// Restores a state previously read from `state`.
    public init(state: [UInt64]) throws(SeededGeneratorError) {
        guard state.count == 4 else { throw .wrongStateLength(state.count) }
        guard state.contains(where: { $0 != 0 }) else { throw .allZeroState }
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let shifted = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= shifted
        s3 = rotateLeft(s3, 45)
        return result
    }

    /// A float uniform in [0, 1) from the top 24 bits of one output (every value is exact).
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// A float uniform in [-bound, bound): how `nn.Linear` initialises weights and biases.
    public mutating func nextFloat(symmetricBound bound: Float) -> Float {
        (2 * nextUnitFloat() - 1) * bound
    }

    private func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }
}

public enum SeededGeneratorError: Error, CustomStringConvertible, Equatable {
    case wrongStateLength(Int)
    case allZeroState

    public var description: String {
        switch self {
        case .wrongStateLength(let count):
            return "xoshiro256** state must be 4 words, got \(count)"
        case .allZeroState:
            return "xoshiro256** state must not be all zero (the generator would only return zeros)"
        }
    }
}
