import Foundation

/// Geometry of a confusion-matrix figure, shared with tests.
struct ConfusionMatrixLayout {
    var gridLeft: Int, gridTop: Int, cellSize: Int, classes: Int
    var width: Int, height: Int

    func cellOrigin(row: Int, column: Int) -> (x: Int, y: Int) {
        (gridLeft + column * cellSize, gridTop + row * cellSize)
    }
}

extension Figure {
    /// The lightest and darkest colours of the heat map (a white-to-navy ramp).
    static let heatLow = Color(hex: 0xF7FBFF)
    static let heatHigh = Color(hex: 0x08306B)

    /// A heat map (log-scaled shading) of `counts[true][predicted]` with the count in each cell (white
    /// on dark cells, dark on light ones), "Predicted" along the bottom, "True" up the
    /// left side, and the class labels (digits by default) on both axes.
    public static func confusionMatrixFigure(counts: [[Int]], title: String, classLabels: [String]? = nil) -> Canvas {
        let layout = confusionMatrixLayout(counts: counts, title: title, classLabels: classLabels)
        let labels = classLabels ?? (0..<counts.count).map(String.init)
        let maximum = max(1, counts.flatMap { $0 }.max() ?? 1)
        var canvas = Canvas(width: layout.width, height: layout.height)
        let gridSize = layout.cellSize * layout.classes

        canvas.drawText(title, centerX: layout.gridLeft + gridSize / 2, y: margin, scale: titleScale)
        for (row, line) in counts.enumerated() {
            for (column, count) in line.enumerated() {
                let origin = layout.cellOrigin(row: row, column: column)
                let fill = heatColor(count, maximum: maximum)
                canvas.fill(x: origin.x, y: origin.y, width: layout.cellSize, height: layout.cellSize, color: fill)
                canvas.drawText("\(count)", centerX: origin.x + layout.cellSize / 2,
                                centerY: origin.y + layout.cellSize / 2, scale: countScale(layout.cellSize, maximum),
                                color: fill.luminance < 0.5 ? .white : .ink)
            }
        }
        canvas.strokeRect(x: layout.gridLeft - 1, y: layout.gridTop - 1, width: gridSize + 2, height: gridSize + 2,
                          color: .ink)
        for (index, label) in labels.enumerated() {
            let center = index * layout.cellSize + layout.cellSize / 2
            canvas.drawText(label, centerX: layout.gridLeft + center, y: layout.gridTop + gridSize + 8, scale: labelScale)
            let labelWidth = BitmapFont.size(of: label, scale: labelScale).width
            canvas.drawText(label, x: layout.gridLeft - 10 - labelWidth,
                            y: layout.gridTop + center - BitmapFont.capHeight * labelScale / 2, scale: labelScale)
        }
        let axisTextHeight = BitmapFont.lineHeight * labelScale
        canvas.drawText("Predicted", centerX: layout.gridLeft + gridSize / 2,
                        y: layout.gridTop + gridSize + 8 + axisTextHeight + 10, scale: labelScale)
        let trueLength = BitmapFont.size(of: "True", scale: labelScale).width
        canvas.drawText("True", x: margin, y: layout.gridTop + gridSize / 2 - trueLength / 2, scale: labelScale,
                        direction: .upward)
        return canvas
    }

    /// Shades on a logarithmic scale: with a strong diagonal (about 1 000 per digit) a
    /// handful of confusions would stay invisible on a linear one, and they are what the
    /// figure is for.
    static func heatColor(_ count: Int, maximum: Int) -> Color {
        let amount = log1p(Double(max(0, count))) / log1p(Double(max(1, maximum)))
        return heatLow.blended(with: heatHigh, amount: amount)
    }

    static func countScale(_ cellSize: Int, _ maximum: Int) -> Int {
        BitmapFont.size(of: "\(maximum)", scale: 2).width <= cellSize - 8 ? 2 : 1
    }

    static func confusionMatrixLayout(counts: [[Int]], title: String, classLabels: [String]?) -> ConfusionMatrixLayout {
        let classes = counts.count
        precondition(classes > 0 && counts.allSatisfy { $0.count == classes },
                     "confusionMatrixFigure: counts must be square, got \(counts.map(\.count))")
        precondition(classLabels == nil || classLabels!.count == classes,
                     "confusionMatrixFigure: \(classLabels?.count ?? 0) labels for \(classes) classes")
        let labels = classLabels ?? (0..<classes).map(String.init)
        let maximum = max(1, counts.flatMap { $0 }.max() ?? 1)
        let countWidth = BitmapFont.size(of: "\(maximum)", scale: 2).width
        let cellSize = max(60, countWidth + 20)
        let widestLabel = labels.map { BitmapFont.size(of: $0, scale: labelScale).width }.max() ?? 0
        let gridLeft = margin + BitmapFont.lineHeight * labelScale + 12 + widestLabel + 10
        let gridTop = margin + BitmapFont.lineHeight * titleScale + 16
        let gridSize = cellSize * classes
        let titleWidth = BitmapFont.size(of: title, scale: titleScale).width
        let width = max(gridLeft + gridSize + margin, gridLeft + gridSize / 2 + titleWidth / 2 + margin)
        let height = gridTop + gridSize + 8 + 2 * BitmapFont.lineHeight * labelScale + 10 + margin
        return ConfusionMatrixLayout(gridLeft: gridLeft, gridTop: gridTop, cellSize: cellSize, classes: classes,
                                     width: width, height: height)
    }
}
