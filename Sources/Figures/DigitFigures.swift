/// The notebooks' figures, each a ``Chart``: write it with ``Chart/write(to:svg:)`` (or
/// `PNGWriter.write(_:to:)`, which does the same).
public enum Figure {}

extension Figure {
    /// Space between the panels of a grid, in CSS pixels (the chart's facet gap).
    static let panelGap = 12.0

    /// A grid of digits, each under its own title, like the notebook's matplotlib figure:
    /// white page, each digit upscaled by nearest neighbour in matplotlib's `gray` colour
    /// map (ink white on a black square). A faceted ``Chart`` of ``ImageMark``s.
    ///
    /// Used for sample training digits ("Label: 5") and for misclassified test digits
    /// ("P: 3 T: 5"). `images` holds `imageWidth × imageHeight` bytes each; at most
    /// `rows × columns` of them. Each digit is `scale` CSS pixels per image pixel; a panel
    /// is widened to its title, so titles never overlap.
    public static func digitGrid(
        images: [[UInt8]], titles: [String], rows: Int = 2, columns: Int = 8,
        imageWidth: Int = 28, imageHeight: Int = 28, scale: Double = 3, heading: String? = nil
    ) -> Chart {
        precondition(titles.count == images.count, "digitGrid: \(images.count) images but \(titles.count) titles")
        precondition(images.count <= rows * columns, "digitGrid: \(images.count) images do not fit \(rows) × \(columns)")
        let used = max(1, min(columns, images.count))
        let usedRows = max(1, (images.count + columns - 1) / columns)
        let longestTitle = titles.map { StyledText($0).width(size: ChartLayout.panelTitleSize, weight: .bold) }.max() ?? 0
        let imageSide = (width: Double(imageWidth) * scale, height: Double(imageHeight) * scale)
        let cellWidth = max(imageSide.width, longestTitle + 6)
        let cellHeight = imageSide.height + ChartLayout.panelTitleSize * 1.45
        let headingHeight = heading.map { _ in ChartLayout.titleSize * ChartLayout.lineGap + 6 } ?? 0
        var width = 2 * ChartLayout.margin + Double(used) * cellWidth + Double(used - 1) * panelGap
        if let heading {
            width = max(width, StyledText(heading).width(size: ChartLayout.titleSize, weight: .bold) + 2 * ChartLayout.margin)
        }
        let height = 2 * ChartLayout.margin + headingHeight + Double(usedRows) * cellHeight + Double(usedRows - 1) * panelGap
        return Chart(title: heading ?? "", x: .hidden, y: .hidden, width: width, height: height, columns: used,
                     equalAspect: true) {
            for (index, image) in images.enumerated() {
                Panel(titles[index]) { ImageMark(gray: image, width: imageWidth, height: imageHeight) }
            }
        }
    }

    /// One digit, large, under a title such as "Prediction: 7 | True Label: 7".
    public static func predictionFigure(
        image: [UInt8], title: String, imageWidth: Int = 28, imageHeight: Int = 28, scale: Double = 8
    ) -> Chart {
        let side = (width: Double(imageWidth) * scale, height: Double(imageHeight) * scale)
        let titleWidth = StyledText(title).width(size: ChartLayout.titleSize, weight: .bold)
        let width = max(side.width, min(titleWidth, 600)) + 2 * ChartLayout.margin
        // As many title lines as the chart will wrap it onto, so the digit keeps its scale.
        let lines = StyledText(title).wrapped(toWidth: width - 2 * ChartLayout.margin, size: ChartLayout.titleSize,
                                              weight: .bold, maxLines: 2).count
        let height = side.height + 2 * ChartLayout.margin + ChartLayout.titleSize * ChartLayout.lineGap * Double(lines) + 6
        return Chart(title: title, x: .hidden, y: .hidden, width: width, height: height, equalAspect: true) {
            ImageMark(gray: image, width: imageWidth, height: imageHeight)
        }
    }
}
