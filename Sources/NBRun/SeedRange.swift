extension ClosedRange where Bound == Int {
    /// The seeds every stage accepts (those a `UInt32` holds): one range for all stages, so
    /// that a seed that works for one stage works for every other.
    public static let seeds = 0...Int(UInt32.max)
}
