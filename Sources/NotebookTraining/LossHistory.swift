import Figures
import Foundation

/// The loss of every training batch, and of every epoch, kept for the report's curve and
/// for resuming: a resumed run restores it so its printed history and curve are whole.
public struct LossHistory: Codable, Equatable, Sendable {
    public var batchesPerEpoch: Int
    public var batchLosses: [Float] = []
    /// Mean batch loss of each completed epoch, as the reference prints it.
    public var epochMeans: [Double] = []

    public init(batchesPerEpoch: Int, epochs: Int) {
        self.batchesPerEpoch = batchesPerEpoch
        // Recording a loss must not grow the array inside the training loop.
        batchLosses.reserveCapacity(batchesPerEpoch * epochs)
    }

    public var completedEpochs: Int { epochMeans.count }

    public mutating func record(_ loss: Float) {
        batchLosses.append(loss)
    }

    public mutating func endEpoch() {
        let epochLosses = batchLosses.suffix(batchLosses.count - completedEpochs * batchesPerEpoch)
        epochMeans.append(epochLosses.reduce(0) { $0 + Double($1) } / Double(max(epochLosses.count, 1)))
    }

    /// Mean of the last (up to) 50 batches: the running loss on the progress bar.
    public var recentMean: Double {
        let recent = batchLosses.suffix(50)
        return recent.reduce(0) { $0 + Double($1) } / Double(max(recent.count, 1))
    }

    /// Exponential moving average of the batch losses (weight 0.98 on the past), bias-corrected
    /// so that the first points are not pulled towards zero.
    public var smoothed: [Double] {
        var average = 0.0, weight = 0.0
        return batchLosses.map { loss -> Double in
            average = 0.98 * average + 0.02 * Double(loss)
            weight = 0.98 * weight + 0.02
            return average / weight
        }
    }

    public func chart() -> Chart {
        let epochOf = { (batch: Int) in Double(batch + 1) / Double(batchesPerEpoch) }
        let smoothed = smoothed
        return Figure.lineChart(
            series: [
                ChartSeries(name: "batch loss",
                            points: batchLosses.indices.map { ChartPoint(x: epochOf($0), y: Double(batchLosses[$0])) },
                            color: Color(hex: 0xAEC7E8), thickness: 1),
                ChartSeries(name: "smoothed",
                            points: smoothed.indices.map { ChartPoint(x: epochOf($0), y: smoothed[$0]) },
                            color: Color(hex: 0x1F77B4)),
                // Each epoch's mean sits at the middle of the epoch it averages.
                ChartSeries(name: "epoch mean",
                            points: epochMeans.indices.map { ChartPoint(x: Double($0) + 0.5, y: epochMeans[$0]) },
                            color: Color(hex: 0xFF7F0E), thickness: 3),
            ],
            title: "Training loss", xLabel: "epoch", yLabel: "cross-entropy loss")
    }
}

extension Double {
    /// Four decimals, as the reference notebook prints its losses.
    public var formatted4: String { String(format: "%.4f", self) }
}
