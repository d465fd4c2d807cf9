import Foundation

/// Lays a ``Chart`` out as a ``Drawing``: title, panels, axes and ticks, marks, legend and
/// colour bar, all measured with the font so that nothing overlaps and nothing overhangs.
struct ChartLayout {
    let chart: Chart

    // Sizes in CSS pixels.
    static let margin = 10.0
    static let titleSize = 15.0
    static let labelSize = 12.5
    static let tickSize = 11.0
    static let legendSize = 11.5
    static let panelTitleSize = 12.0
    static let tickLength = 4.0
    /// Where a line of text puts its baseline below the top of its line box, in ems.
    static let ascent = 0.93
    static let lineGap = 1.25

    /// A panel: its title and the marks drawn in it.
    struct PanelContent {
        var title: StyledText?
        var marks: [Mark]
    }

    /// A legend entry: a series name and how its marks look.
    struct LegendEntry {
        var name: StyledText
        var color: Color
        var shape: MarkShape
    }

    struct LegendBox {
        var entries: [LegendEntry]
        var width: Double
        var height: Double
        static let padding = 6.0
        static let swatch = 20.0
        static var rowHeight: Double { ChartLayout.legendSize * 1.5 }
    }

    // MARK: - Series, colours, panels

    /// Each series' colour: the first colour given for it, else the next of the palette.
    func seriesColors() -> [String: Color] {
        var colors: [String: Color] = [:]
        var next = 0
        for mark in chart.marks {
            guard let series = mark.series, colors[series] == nil else { continue }
            if let color = mark.color {
                colors[series] = color
            } else {
                colors[series] = Color.palette[next % Color.palette.count]
                next += 1
            }
        }
        return colors
    }

    func color(of mark: Mark, _ colors: [String: Color]) -> Color {
        if let color = mark.color { return color }
        if let series = mark.series, let color = colors[series] { return color }
        if case .rule = mark.shape { return Color(hex: 0x555555) }
        return Color.palette[0]
    }

    func legendEntries(_ colors: [String: Color]) -> [LegendEntry] {
        var seen = Set<String>()
        var entries: [LegendEntry] = []
        for mark in chart.marks {
            guard let series = mark.series, !seen.contains(series) else { continue }
            seen.insert(series)
            entries.append(LegendEntry(name: StyledText(series), color: color(of: mark, colors), shape: mark.shape))
        }
        return entries
    }

    /// Panels in order of first appearance; marks without a facet are drawn in every panel.
    func panels() -> [PanelContent] {
        var keys: [FacetKey] = []
        for mark in chart.marks { if let key = mark.facet, !keys.contains(key) { keys.append(key) } }
        if keys.isEmpty { return [PanelContent(title: nil, marks: chart.marks)] }
        return keys.map { key in
            PanelContent(title: StyledText(key.title), marks: chart.marks.filter { $0.facet == nil || $0.facet == key })
        }
    }

    // MARK: - Axes

    /// The raw x and y values each mark needs to be visible.
    static func extent(of mark: Mark) -> (x: [Double], y: [Double]) {
        switch mark.shape {
        case .line, .point: return (mark.x, mark.y)
        case let .bar(width, base):
            let half = (width ?? barWidth(mark.x)) / 2
            var x: [Double] = []
            if let low = mark.x.filter(\.isFinite).min(), let high = mark.x.filter(\.isFinite).max() {
                x = [low - half, high + half]
            }
            return (x, mark.y + [base])
        case let .area(base, _): return (mark.x, mark.y + base)
        case .rule, .heatmap, .image: return (mark.x, mark.y)
        }
    }

    /// 80% of the closest spacing of the x values, 0.8 for a single bar.
    static func barWidth(_ x: [Double]) -> Double {
        let sorted = Set(x.filter(\.isFinite)).sorted()
        let gaps = zip(sorted, sorted.dropFirst()).map { $1 - $0 }
        return 0.8 * (gaps.min() ?? 1)
    }

    var hasPictures: Bool {
        chart.marks.contains { if case .heatmap = $0.shape { true } else if case .image = $0.shape { true } else { false } }
    }

    var heatmap: HeatmapData? {
        for mark in chart.marks { if case let .heatmap(data) = mark.shape { return data } }
        return nil
    }

    var imagesOnly: Bool {
        !chart.marks.isEmpty && chart.marks.allSatisfy { if case .image = $0.shape { true } else { false } }
    }

    func axes(xTicks: Int, yTicks: Int) -> (x: ResolvedAxis, y: ResolvedAxis) {
        var xs: [Double] = [], ys: [Double] = []
        for mark in chart.marks {
            let (x, y) = Self.extent(of: mark)
            xs += x
            ys += y
        }
        let categories = chart.marks.lazy.compactMap(\.categories).first
        let heat = heatmap
        var xAxis = chart.x, yAxis = chart.y
        if imagesOnly {
            xAxis.isHidden = true
            yAxis.isHidden = true
        }
        let x = ResolvedAxis.resolve(xAxis, range: ResolvedAxis.dataRange(xs, kind: xAxis.scale),
                                     categories: categories ?? heat.map { (0..<$0.columns).map(String.init) },
                                     targetTicks: xTicks, reversed: false)
        let y = ResolvedAxis.resolve(yAxis, range: ResolvedAxis.dataRange(ys, kind: yAxis.scale),
                                     categories: heat.map { (0..<$0.rows).map(String.init) },
                                     targetTicks: yTicks, reversed: hasPictures)
        var fixed = (x, y)
        if imagesOnly {
            // An image fills exactly its own pixels.
            fixed.0.lower = xs.min() ?? 0
            fixed.0.upper = xs.max() ?? 1
            fixed.1.lower = ys.min() ?? 0
            fixed.1.upper = ys.max() ?? 1
        }
        return fixed
    }

    // MARK: - The whole figure

    func drawing() -> Drawing {
        let width = chart.width, height = chart.height
        let margin = Self.margin
        var items: [DrawingItem] = []
        let colors = seriesColors()
        let panels = panels()
        let isFaceted = panels.count > 1 || panels[0].title != nil

        // Title, wrapped to at most two lines.
        let title = StyledText(chart.title)
        var top = margin
        if !title.isEmpty {
            let lines = title.wrapped(toWidth: width - 2 * margin, size: Self.titleSize, weight: .bold, maxLines: 2)
            for (index, line) in lines.enumerated() {
                items.append(.text(DrawingText(text: line, position: DrawingPoint(
                    x: width / 2, y: top + Self.titleSize * Self.ascent + Double(index) * Self.titleSize * Self.lineGap),
                    size: Self.titleSize, weight: .bold, anchor: .middle)))
            }
            top += Double(lines.count) * Self.titleSize * Self.lineGap + 6
        }

        // The legend's box, and whether it can go inside the plot.
        let entries = chart.legend == .hidden ? [] : legendEntries(colors)
        let legend = entries.isEmpty ? nil : legendBox(entries, maxWidth: max(60, width * 0.32))
        var legendOutside = false
        if case .outside = chart.legend { legendOutside = legend != nil }
        if isFaceted && legend != nil { legendOutside = true }

        let xLabel = StyledText(chart.x.label), yLabel = StyledText(chart.y.label)
        let heat = heatmap

        func grid(legendOutside: Bool) -> (cells: [DrawingRect], content: DrawingRect, right: Double) {
            var right = width - margin
            if legendOutside, let legend { right -= legend.width + 10 }
            if heat != nil { right -= colorBarWidth(heat!) }
            var left = margin
            if !yLabel.isEmpty && !imagesOnly { left += Self.labelSize * 1.3 }
            var bottom = height - margin
            if !xLabel.isEmpty && !imagesOnly { bottom -= Self.labelSize * 1.4 }
            let content = DrawingRect(x: left, y: top, width: max(20, right - left), height: max(20, bottom - top))
            let columns = max(1, min(panels.count, chart.columns ?? Int(Double(panels.count).squareRoot().rounded(.up))))
            let rows = (panels.count + columns - 1) / columns
            let gap = isFaceted ? 12.0 : 0
            let cellWidth = (content.width - gap * Double(columns - 1)) / Double(columns)
            let cellHeight = (content.height - gap * Double(rows - 1)) / Double(rows)
            let cells = panels.indices.map { index in
                DrawingRect(x: content.x + Double(index % columns) * (cellWidth + gap),
                            y: content.y + Double(index / columns) * (cellHeight + gap), width: cellWidth, height: cellHeight)
            }
            return (cells, content, right)
        }

        var layout = grid(legendOutside: legendOutside)
        var frames = panelFrames(layout.cells, panels: panels)
        var legendRect: DrawingRect?
        if let legend, !legendOutside {
            legendRect = insideLegend(legend, plot: frames[0].plot, axes: frames[0].axes, marks: panels[0].marks)
            if legendRect == nil {
                legendOutside = true
                layout = grid(legendOutside: true)
                frames = panelFrames(layout.cells, panels: panels)
            }
        }
        if legendOutside, let legend {
            // Beside the plots, clear of the last x label's overhang.
            let plotTop = frames.map(\.plot.y).min() ?? top
            let plotRight = frames.map(\.plot.right).max() ?? 0
            let tallerThanPlot = legend.height > (frames.map(\.plot.bottom).max() ?? 0) - plotTop
            let x = min(width - margin - legend.width, (tallerThanPlot ? frames.map(\.cell.right).max() ?? 0 : plotRight) + 12)
            legendRect = DrawingRect(x: x, y: plotTop, width: legend.width, height: legend.height)
        }

        for (index, panel) in panels.enumerated() {
            items += drawPanel(panel, frame: frames[index], colors: colors)
        }

        // Axis labels, centred on the plots they name.
        let plots = frames.map(\.plot)
        let plotLeft = plots.map(\.x).min() ?? 0, plotRight = plots.map(\.right).max() ?? width
        let plotTop = plots.map(\.y).min() ?? 0, plotBottom = plots.map(\.bottom).max() ?? height
        if !xLabel.isEmpty && !imagesOnly {
            let fitted = xLabel.truncated(toWidth: width - 2 * margin, size: Self.labelSize)
            items.append(.text(DrawingText(text: fitted, position: DrawingPoint(
                x: min(max((plotLeft + plotRight) / 2, margin + fitted.width(size: Self.labelSize) / 2),
                       width - margin - fitted.width(size: Self.labelSize) / 2),
                y: height - margin - Self.labelSize * 0.3), size: Self.labelSize, anchor: .middle)))
        }
        if !yLabel.isEmpty && !imagesOnly {
            let fitted = yLabel.truncated(toWidth: height - top - margin, size: Self.labelSize)
            let half = fitted.width(size: Self.labelSize) / 2
            let centre = min(max((plotTop + plotBottom) / 2, top + half), height - margin - half)
            items.append(.text(DrawingText(text: fitted, position: DrawingPoint(x: margin + Self.labelSize * 0.95, y: centre),
                                           size: Self.labelSize, anchor: .middle, upward: true)))
        }
        if let legend, let legendRect { items += drawLegend(legend, in: legendRect) }
        if let heat {
            items += drawColorBar(heat, x: layout.right + 12, top: plotTop, bottom: plotBottom)
        }
        let summary = [title.plain, xLabel.plain, yLabel.plain].filter { !$0.isEmpty }.joined(separator: "; ")
        return Drawing(width: width, height: height, items: items, summary: summary)
    }

    // MARK: - Panels

    struct PanelFrame {
        var cell: DrawingRect
        var plot: DrawingRect
        var axes: (x: ResolvedAxis, y: ResolvedAxis)
        var title: StyledText?
        var xLabelEvery: Int
    }

    /// The plot rectangle inside each cell, after the panel title and the tick labels, and
    /// axes whose tick counts suit its size (x ticks thinned until their labels fit).
    func panelFrames(_ cells: [DrawingRect], panels: [PanelContent]) -> [PanelFrame] {
        guard let cell = cells.first else { return [] }
        let titleHeight = panels[0].title == nil ? 0 : Self.panelTitleSize * 1.45
        let yTarget = Int((cell.height - titleHeight) / (chart.y.scale == .logarithmic ? 28 : 45))
        var axes = self.axes(xTicks: max(2, Int(cell.width / 70)), yTicks: max(2, yTarget))
        let yLabelWidth = axes.y.isHidden ? 0 : min(cell.width * 0.4,
            (axes.y.labels.map { $0.width(size: Self.tickSize) }.max() ?? 0)) + Self.tickLength + 4
        let xLabelHeight = axes.x.isHidden ? 0 : Self.tickSize * 1.3 + Self.tickLength + 2
        var plot = DrawingRect(x: cell.x + yLabelWidth, y: cell.y + titleHeight, width: max(10, cell.width - yLabelWidth - 6),
                               height: max(10, cell.height - titleHeight - xLabelHeight))
        if axes.x.isHidden && axes.y.isHidden { plot.width = cell.width; plot.x = cell.x }
        // Fewer x ticks until neighbouring labels leave a gap.
        var every = 1
        if !axes.x.isHidden {
            let isCategorical = chart.x.categories != nil || chart.marks.contains { $0.categories != nil } || heatmap != nil
            var target = max(2, Int(plot.width / 70))
            while true {
                let spacing = plot.width / max(1, axes.x.upper - axes.x.lower)
                    * (axes.x.ticks.count > 1 ? axes.x.ticks[1] - axes.x.ticks[0] : 1)
                let widest = axes.x.labels.map { $0.width(size: Self.tickSize) }.max() ?? 0
                if isCategorical {
                    // Every label when each can keep a few characters (longer ones are cut
                    // to their room), else every second, third, …
                    let needed = min(widest + 8, 36)
                    every = max(1, Int((needed / max(1, spacing)).rounded(.up)))
                    break
                }
                if widest + 10 <= spacing { break }
                if target <= 2 {
                    // Even two ticks are too close for their labels: label every n-th.
                    every = max(1, Int(((widest + 10) / max(1, spacing)).rounded(.up)))
                    break
                }
                target -= 1
                axes.x = self.axes(xTicks: target, yTicks: 2).x
            }
            // The last x label may hang half its width past the plot's right edge (a
            // category's label sits inside, on its bar).
            if !isCategorical {
                let lastWidth = axes.x.labels.last.map { $0.width(size: Self.tickSize) } ?? 0
                let overhang = max(0, lastWidth / 2 + 2 - 6)
                plot.width = max(10, plot.width - overhang)
            }
        }
        if chart.equalAspect {
            let xSpan = axes.x.upper - axes.x.lower, ySpan = axes.y.upper - axes.y.lower
            if xSpan > 0 && ySpan > 0 {
                let unit = min(plot.width / xSpan, plot.height / ySpan)
                let fitted = (xSpan * unit, ySpan * unit)
                plot = DrawingRect(x: plot.x + (plot.width - fitted.0) / 2, y: plot.y, width: fitted.0, height: fitted.1)
            }
        }
        return cells.enumerated().map { index, cell in
            var shifted = plot
            shifted.x += cell.x - cells[0].x
            shifted.y += cell.y - cells[0].y
            return PanelFrame(cell: cell, plot: shifted, axes: axes, title: panels[index].title, xLabelEvery: every)
        }
    }

    /// The pixel position of a drawn (already transformed) value.
    static func pixelX(_ value: Double, _ axis: ResolvedAxis, _ plot: DrawingRect) -> Double {
        plot.x + axis.fraction(value) * plot.width
    }

    static func pixelY(_ value: Double, _ axis: ResolvedAxis, _ plot: DrawingRect) -> Double {
        axis.isReversed ? plot.y + axis.fraction(value) * plot.height : plot.bottom - axis.fraction(value) * plot.height
    }

    func drawPanel(_ panel: PanelContent, frame: PanelFrame, colors: [String: Color]) -> [DrawingItem] {
        var items: [DrawingItem] = []
        let plot = frame.plot, (xAxis, yAxis) = frame.axes
        if let title = frame.title {
            let fitted = title.truncated(toWidth: frame.cell.width, size: Self.panelTitleSize, weight: .bold)
            items.append(.text(DrawingText(text: fitted, position: DrawingPoint(
                x: plot.x + plot.width / 2, y: plot.y - Self.panelTitleSize * 0.45), size: Self.panelTitleSize,
                weight: .bold, anchor: .middle)))
        }
        let gridColor = Color(hex: 0xE6E6E6), tickColor = Color(hex: 0x444444)
        // Grid lines and ticks.
        if !yAxis.isHidden {
            for (index, value) in yAxis.ticks.enumerated() {
                let y = Self.pixelY(value, yAxis, plot)
                if !hasPictures {
                    items.append(.polyline([DrawingPoint(x: plot.x, y: y), DrawingPoint(x: plot.right, y: y)], color: gridColor, width: 1))
                }
                items.append(.polyline([DrawingPoint(x: plot.x - Self.tickLength, y: y), DrawingPoint(x: plot.x, y: y)],
                                       color: tickColor, width: 1))
                let label = yAxis.labels[index].truncated(toWidth: plot.x - frame.cell.x - Self.tickLength - 3, size: Self.tickSize)
                items.append(.text(DrawingText(text: label, position: DrawingPoint(
                    x: plot.x - Self.tickLength - 3, y: y + Self.tickSize * 0.36), size: Self.tickSize, anchor: .end)))
            }
            for value in yAxis.minorTicks {
                let y = Self.pixelY(value, yAxis, plot)
                items.append(.polyline([DrawingPoint(x: plot.x - Self.tickLength / 2, y: y), DrawingPoint(x: plot.x, y: y)],
                                       color: tickColor, width: 0.75))
            }
        }
        if !xAxis.isHidden {
            let spacing = xAxis.ticks.count > 1
                ? abs(Self.pixelX(xAxis.ticks[1], xAxis, plot) - Self.pixelX(xAxis.ticks[0], xAxis, plot)) : plot.width
            for (index, value) in xAxis.ticks.enumerated() {
                let x = Self.pixelX(value, xAxis, plot)
                if !hasPictures {
                    items.append(.polyline([DrawingPoint(x: x, y: plot.y), DrawingPoint(x: x, y: plot.bottom)], color: gridColor, width: 1))
                }
                items.append(.polyline([DrawingPoint(x: x, y: plot.bottom), DrawingPoint(x: x, y: plot.bottom + Self.tickLength)],
                                       color: tickColor, width: 1))
                guard index % frame.xLabelEvery == 0 else { continue }
                let room = spacing * Double(frame.xLabelEvery) - 6
                let label = xAxis.labels[index].truncated(toWidth: max(room, 8), size: Self.tickSize)
                items.append(.text(DrawingText(text: label, position: DrawingPoint(
                    x: x, y: plot.bottom + Self.tickLength + 2 + Self.tickSize * Self.ascent), size: Self.tickSize, anchor: .middle)))
            }
            for value in xAxis.minorTicks {
                let x = Self.pixelX(value, xAxis, plot)
                items.append(.polyline([DrawingPoint(x: x, y: plot.bottom), DrawingPoint(x: x, y: plot.bottom + Self.tickLength / 2)],
                                       color: tickColor, width: 0.75))
            }
        }
        // Marks, clipped to the plot.
        var inner: [DrawingItem] = []
        var overlays: [DrawingItem] = []
        let groups = Self.barGroups(panel.marks)
        let shapes = panel.marks.indices.map { index in
            Self.geometry(of: panel.marks[index], color: color(of: panel.marks[index], colors), axes: frame.axes, plot: plot,
                          group: groups[index])
        }
        inner = shapes.flatMap { $0 }
        for (index, mark) in panel.marks.enumerated() {
            // Each label goes to the first of its places that no other mark and no earlier
            // label touches (a rule's own line runs beside its label by design).
            let others = shapes.enumerated().filter { $0.offset != index }.flatMap(\.element)
            for candidates in Self.labels(of: mark, color: color(of: mark, colors), axes: frame.axes, plot: plot) {
                let free = candidates.count == 1 ? candidates.first : candidates.first { candidate in
                    !(others + overlays).contains { Self.touches($0, Self.bounds(of: candidate)) }
                }
                if let chosen = free ?? candidates.first { overlays.append(chosen) }
            }
        }
        items.append(.clipped(plot, inner + overlays))
        if !(xAxis.isHidden && yAxis.isHidden) {
            items.append(.strokeRect(plot, color: tickColor, width: 1))
        }
        return items
    }

    // MARK: - Marks

    /// Bar marks of different series side by side: each bar mark with a series gets its
    /// place (index, count) in the group, so that bars at the same x do not hide each other.
    static func barGroups(_ marks: [Mark]) -> [Int: (index: Int, count: Int)] {
        var series: [String] = []
        for mark in marks {
            if case .bar = mark.shape, let name = mark.series, !series.contains(name) { series.append(name) }
        }
        guard series.count > 1 else { return [:] }
        var groups: [Int: (index: Int, count: Int)] = [:]
        for (index, mark) in marks.enumerated() {
            if case .bar = mark.shape, let name = mark.series, let place = series.firstIndex(of: name) {
                groups[index] = (place, series.count)
            }
        }
        return groups
    }

    /// The drawing items of one mark: also what the legend placement tests for overlap.
    /// `group` places a bar mark beside the other series' bars at the same x.
    static func geometry(of mark: Mark, color: Color, axes: (x: ResolvedAxis, y: ResolvedAxis), plot: DrawingRect,
                         group: (index: Int, count: Int)? = nil) -> [DrawingItem] {
        let (xAxis, yAxis) = axes
        func point(_ index: Int) -> DrawingPoint? {
            guard let x = xAxis.transform(mark.x[index]), let y = yAxis.transform(mark.y[index]) else { return nil }
            return DrawingPoint(x: pixelX(x, xAxis, plot), y: pixelY(y, yAxis, plot))
        }
        switch mark.shape {
        case let .line(width, dashed):
            // A missing value breaks the line rather than joining across it.
            var pieces: [[DrawingPoint]] = [[]]
            pieces[0].reserveCapacity(mark.x.count)
            for index in mark.x.indices {
                if let p = point(index) {
                    pieces[pieces.count - 1].append(p)
                } else if !pieces[pieces.count - 1].isEmpty {
                    pieces.append([])
                }
            }
            return pieces.filter { !$0.isEmpty }.map { .polyline($0, color: color, width: width, dash: dashed ? 5 : nil) }
        case let .point(radius, opacity):
            var centres: [DrawingPoint] = []
            centres.reserveCapacity(mark.x.count)
            for index in mark.x.indices { if let p = point(index) { centres.append(p) } }
            return [.circles(centres, radius: radius, fill: color, opacity: opacity)]
        case let .bar(width, base):
            let full = width ?? barWidth(mark.x)
            let slot = group.map { full / Double($0.count) } ?? full
            let offset = group.map { (Double($0.index) - Double($0.count - 1) / 2) * slot } ?? 0
            let half = slot / 2
            let baseY = yAxis.transform(base) ?? yAxis.lower
            return mark.x.indices.compactMap { index in
                let centre = mark.x[index] + offset
                guard let low = xAxis.transform(centre - half), let high = xAxis.transform(centre + half),
                      let value = yAxis.transform(mark.y[index]) else { return nil }
                let x0 = pixelX(low, xAxis, plot), x1 = pixelX(high, xAxis, plot)
                let y0 = pixelY(baseY, yAxis, plot), y1 = pixelY(value, yAxis, plot)
                return .rect(DrawingRect(x: min(x0, x1), y: min(y0, y1), width: abs(x1 - x0), height: abs(y1 - y0)), fill: color)
            }
        case let .area(base, opacity):
            var upper: [DrawingPoint] = [], lower: [DrawingPoint] = []
            for index in mark.x.indices {
                guard let x = xAxis.transform(mark.x[index]), let y = yAxis.transform(mark.y[index]) else { continue }
                let b = yAxis.transform(base[index]) ?? yAxis.lower
                let px = pixelX(x, xAxis, plot)
                upper.append(DrawingPoint(x: px, y: pixelY(y, yAxis, plot)))
                lower.append(DrawingPoint(x: px, y: pixelY(b, yAxis, plot)))
            }
            return upper.isEmpty ? [] : [.polygon(upper + lower.reversed(), fill: color, opacity: opacity)]
        case let .rule(vertical, _, dashed):
            let dash = dashed ? 5.0 : nil
            if vertical {
                guard let value = mark.x.first.flatMap(xAxis.transform) else { return [] }
                let x = pixelX(value, xAxis, plot)
                return [.polyline([DrawingPoint(x: x, y: plot.y), DrawingPoint(x: x, y: plot.bottom)], color: color, width: 1.25, dash: dash)]
            }
            guard let value = mark.y.first.flatMap(yAxis.transform) else { return [] }
            let y = pixelY(value, yAxis, plot)
            return [.polyline([DrawingPoint(x: plot.x, y: y), DrawingPoint(x: plot.right, y: y)], color: color, width: 1.25, dash: dash)]
        case let .heatmap(data):
            let (low, high) = heatRange(data)
            var pixels = [UInt8](repeating: 0, count: data.columns * data.rows * 3)
            for (index, value) in data.values.enumerated() {
                let c = data.colorMap.color(at: heatFraction(value, low: low, high: high, logarithmic: data.logarithmic))
                (pixels[index * 3], pixels[index * 3 + 1], pixels[index * 3 + 2]) = (c.red, c.green, c.blue)
            }
            let rect = cellRect(-0.5, Double(data.columns) - 0.5, -0.5, Double(data.rows) - 0.5, axes: axes, plot: plot)
            return [.image(DrawingImage(columns: data.columns, rows: data.rows, pixels: pixels), in: rect)]
        case let .image(columns, rows, gray):
            let pixels = gray.flatMap { [$0, $0, $0] }
            let rect = cellRect(0, Double(columns), 0, Double(rows), axes: axes, plot: plot)
            return [.image(DrawingImage(columns: columns, rows: rows, pixels: pixels), in: rect)]
        }
    }

    static func cellRect(_ x0: Double, _ x1: Double, _ y0: Double, _ y1: Double,
                         axes: (x: ResolvedAxis, y: ResolvedAxis), plot: DrawingRect) -> DrawingRect {
        let left = pixelX(x0, axes.x, plot), right = pixelX(x1, axes.x, plot)
        let top = pixelY(y0, axes.y, plot), bottom = pixelY(y1, axes.y, plot)
        return DrawingRect(x: min(left, right), y: min(top, bottom), width: abs(right - left), height: abs(bottom - top))
    }

    /// The box a text item covers.
    static func bounds(of item: DrawingItem) -> DrawingRect {
        guard case let .text(text) = item else { return DrawingRect(x: 0, y: 0, width: 0, height: 0) }
        let width = text.text.width(size: text.size, weight: text.weight)
        let along = text.anchor == .start ? 0 : text.anchor == .middle ? -width / 2 : -width
        if text.upward {
            return DrawingRect(x: text.position.x - text.size, y: text.position.y - along - width, width: text.size * 1.25,
                               height: width)
        }
        return DrawingRect(x: text.position.x + along, y: text.position.y - text.size, width: width, height: text.size * 1.25)
    }

    /// Text a mark writes inside the plot, each label with the places it may go, best
    /// first: a rule's label at either end, above or below it; a heat map's cell labels.
    static func labels(of mark: Mark, color: Color, axes: (x: ResolvedAxis, y: ResolvedAxis), plot: DrawingRect)
        -> [[DrawingItem]] {
        switch mark.shape {
        case let .rule(vertical, label?, _):
            let text = StyledText(label).truncated(toWidth: (vertical ? plot.height : plot.width) * 0.6, size: Self.tickSize)
            func place(_ x: Double, _ y: Double, _ anchor: TextAnchor, upward: Bool) -> DrawingItem {
                .text(DrawingText(text: text, position: DrawingPoint(x: x, y: y), size: Self.tickSize, anchor: anchor,
                                  upward: upward, color: color))
            }
            if vertical, let value = mark.x.first.flatMap(axes.x.transform) {
                let x = pixelX(value, axes.x, plot)
                let left = x - 4, right = x + 4 + Self.tickSize
                return [[place(left, plot.y + 4, .end, upward: true), place(right, plot.y + 4, .end, upward: true),
                         place(left, plot.bottom - 4, .start, upward: true), place(right, plot.bottom - 4, .start, upward: true)]]
            }
            if let value = mark.y.first.flatMap(axes.y.transform) {
                let y = pixelY(value, axes.y, plot)
                let above = y - 4, below = y + 4 + Self.tickSize
                return [[place(plot.right - 4, above, .end, upward: false), place(plot.right - 4, below, .end, upward: false),
                         place(plot.x + 4, above, .start, upward: false), place(plot.x + 4, below, .start, upward: false)]]
            }
            return []
        case let .heatmap(data):
            guard let labels = data.cellLabels else { return [] }
            let (low, high) = heatRange(data)
            let cellWidth = plot.width / Double(data.columns), cellHeight = plot.height / Double(data.rows)
            let widest = labels.map { StyledText($0).width(size: 1) }.max() ?? 0
            let size = min(Self.tickSize + 1, cellHeight * 0.45, widest > 0 ? (cellWidth - 4) / widest : .infinity)
            guard size >= 5 else { return [] }
            return labels.enumerated().compactMap { index, label in
                guard !label.isEmpty else { return nil }
                let (row, column) = (index / data.columns, index % data.columns)
                let fill = data.colorMap.color(at: heatFraction(data.values[index], low: low, high: high, logarithmic: data.logarithmic))
                let rect = cellRect(Double(column) - 0.5, Double(column) + 0.5, Double(row) - 0.5, Double(row) + 0.5,
                                    axes: axes, plot: plot)
                return [.text(DrawingText(text: StyledText(label), position: DrawingPoint(
                    x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 + size * 0.36), size: size, anchor: .middle,
                    color: fill.luminance < 0.5 ? .white : .ink))]
            }
        default: return []
        }
    }

    static func heatRange(_ data: HeatmapData) -> (Double, Double) {
        if let range = data.range { return (range.lowerBound, range.upperBound) }
        let finite = data.values.filter(\.isFinite)
        let low = finite.min() ?? 0, high = finite.max() ?? 1
        if data.colorMap.isDiverging {
            let extent = max(abs(low), abs(high), 1e-300)
            return (-extent, extent)
        }
        return (low, high > low ? high : low + 1)
    }

    static func heatFraction(_ value: Double, low: Double, high: Double, logarithmic: Bool) -> Double {
        guard value.isFinite, high > low else { return 0 }
        if logarithmic { return log1p(max(0, value - low)) / log1p(high - low) }
        return (value - low) / (high - low)
    }

    // MARK: - Legend

    func legendBox(_ entries: [LegendEntry], maxWidth: Double) -> LegendBox {
        let padding = LegendBox.padding
        let textRoom = maxWidth - 3 * padding - LegendBox.swatch
        let fitted = entries.map { entry in
            var entry = entry
            entry.name = entry.name.truncated(toWidth: textRoom, size: Self.legendSize)
            return entry
        }
        let widest = fitted.map { $0.name.width(size: Self.legendSize) }.max() ?? 0
        return LegendBox(entries: fitted, width: 3 * padding + LegendBox.swatch + widest,
                         height: 2 * padding + Double(entries.count) * LegendBox.rowHeight)
    }

    /// The first corner (the preferred one first) whose box no mark touches, or nil.
    func insideLegend(_ legend: LegendBox, plot: DrawingRect, axes: (x: ResolvedAxis, y: ResolvedAxis), marks: [Mark])
        -> DrawingRect? {
        guard !hasPictures, legend.width <= plot.width * 0.5, legend.height <= plot.height * 0.6 else { return nil }
        var preferred = LegendCorner.topRight
        if case let .automatic(corner) = chart.legend { preferred = corner }
        let corners = [preferred] + LegendCorner.allCases.filter { $0 != preferred }
        let colors = seriesColors()
        let groups = Self.barGroups(marks)
        let geometry = marks.indices.flatMap { index in
            Self.geometry(of: marks[index], color: color(of: marks[index], colors), axes: axes, plot: plot, group: groups[index])
        }
            + marks.flatMap { Self.labels(of: $0, color: .ink, axes: axes, plot: plot).compactMap(\.first) }
        let inset = 6.0
        for corner in corners {
            let x = corner == .topLeft || corner == .bottomLeft ? plot.x + inset : plot.right - inset - legend.width
            let y = corner == .topLeft || corner == .topRight ? plot.y + inset : plot.bottom - inset - legend.height
            let box = DrawingRect(x: x, y: y, width: legend.width, height: legend.height)
            if !geometry.contains(where: { Self.touches($0, box) }) { return box }
        }
        return nil
    }

    /// Whether an item draws anything inside `box` (its outline, with the stroke's half width).
    static func touches(_ item: DrawingItem, _ box: DrawingRect) -> Bool {
        switch item {
        case let .rect(rect, _, _), let .strokeRect(rect, _, _), let .image(_, rect): return rect.intersects(box)
        case let .polyline(points, _, width, _):
            let grown = DrawingRect(x: box.x - width, y: box.y - width, width: box.width + 2 * width, height: box.height + 2 * width)
            if points.count == 1 { return grown.contains(points[0]) }
            return zip(points, points.dropFirst()).contains { grown.meets(segmentFrom: $0, to: $1) }
        case let .polygon(points, _, _):
            if zip(points, points.dropFirst() + points.prefix(1)).contains(where: { box.meets(segmentFrom: $0, to: $1) }) {
                return true
            }
            return contains(points, DrawingPoint(x: box.x + box.width / 2, y: box.y + box.height / 2))
        case let .circles(centres, radius, _, _):
            let grown = DrawingRect(x: box.x - radius, y: box.y - radius, width: box.width + 2 * radius, height: box.height + 2 * radius)
            return centres.contains { grown.contains($0) }
        case let .text(text):
            let width = text.text.width(size: text.size, weight: text.weight)
            let start = text.anchor == .start ? text.position.x : text.anchor == .middle ? text.position.x - width / 2 : text.position.x - width
            return DrawingRect(x: start, y: text.position.y - text.size, width: width, height: text.size * 1.25).intersects(box)
        case let .clipped(_, inner): return inner.contains { touches($0, box) }
        }
    }

    /// Even-odd point-in-polygon test.
    static func contains(_ polygon: [DrawingPoint], _ point: DrawingPoint) -> Bool {
        var inside = false
        var j = polygon.count - 1
        for i in polygon.indices {
            let a = polygon[i], b = polygon[j]
            if (a.y > point.y) != (b.y > point.y), point.x < (b.x - a.x) * (point.y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
            j = i
        }
        return inside
    }

    func drawLegend(_ legend: LegendBox, in box: DrawingRect) -> [DrawingItem] {
        var items: [DrawingItem] = [.rect(box, fill: .white, opacity: 0.92), .strokeRect(box, color: Color(hex: 0xCCCCCC), width: 1)]
        let padding = LegendBox.padding
        for (index, entry) in legend.entries.enumerated() {
            let middle = box.y + padding + (Double(index) + 0.5) * LegendBox.rowHeight
            let swatchLeft = box.x + padding, swatchRight = swatchLeft + LegendBox.swatch
            switch entry.shape {
            case let .line(width, dashed):
                items.append(.polyline([DrawingPoint(x: swatchLeft, y: middle), DrawingPoint(x: swatchRight, y: middle)],
                                       color: entry.color, width: min(max(width, 1.5), 4), dash: dashed ? 5 : nil))
            case let .point(radius, _):
                items.append(.circles([DrawingPoint(x: (swatchLeft + swatchRight) / 2, y: middle)], radius: min(max(radius, 2.5), 5),
                                      fill: entry.color, opacity: 1))
            case let .area(_, opacity):
                items.append(.rect(DrawingRect(x: swatchLeft, y: middle - 5, width: LegendBox.swatch, height: 10), fill: entry.color,
                                   opacity: max(opacity, 0.4)))
            default:
                items.append(.rect(DrawingRect(x: swatchLeft + 4, y: middle - 5, width: LegendBox.swatch - 8, height: 10), fill: entry.color))
            }
            items.append(.text(DrawingText(text: entry.name, position: DrawingPoint(
                x: swatchRight + padding, y: middle + Self.legendSize * 0.36), size: Self.legendSize)))
        }
        return items
    }

    // MARK: - Colour bar

    func colorBarAxis(_ data: HeatmapData) -> (ticks: [Double], labels: [StyledText], low: Double, high: Double) {
        let (low, high) = Self.heatRange(data)
        var ticks: [Double]
        if data.logarithmic {
            ticks = [low]
            var decade = 1.0
            while low + decade <= high {
                ticks.append(low + decade)
                decade *= 10
            }
        } else {
            ticks = AxisScale(minimum: low, maximum: high, targetTicks: 5).ticks.filter { $0 >= low - 1e-12 && $0 <= high + 1e-12 }
        }
        let step = ticks.count > 1 ? abs(ticks[1] - ticks[0]) : max(abs(high), 1)
        let labels = ticks.map { value in
            StyledText(data.logarithmic ? String(Int(value.rounded())) : ResolvedAxis.linearLabel(value, step: data.logarithmic ? 1 : step))
        }
        return (ticks, labels, low, high)
    }

    func colorBarWidth(_ data: HeatmapData) -> Double {
        let axis = colorBarAxis(data)
        let labelWidth = axis.labels.map { $0.width(size: Self.tickSize) }.max() ?? 0
        let caption = (data.colorBarLabel ?? "").isEmpty ? 0 : Self.labelSize * 1.4
        return 12 + 12 + Self.tickLength + 3 + labelWidth + caption + 4
    }

    func drawColorBar(_ data: HeatmapData, x: Double, top: Double, bottom: Double) -> [DrawingItem] {
        let axis = colorBarAxis(data)
        let steps = 256
        var pixels: [UInt8] = []
        pixels.reserveCapacity(steps * 3)
        for step in 0..<steps {
            // Row 0 is the top: the high end.
            let c = data.colorMap.color(at: 1 - Double(step) / Double(steps - 1))
            pixels += [c.red, c.green, c.blue]
        }
        let bar = DrawingRect(x: x, y: top, width: 12, height: bottom - top)
        var items: [DrawingItem] = [.image(DrawingImage(columns: 1, rows: steps, pixels: pixels), in: bar),
                                    .strokeRect(bar, color: Color(hex: 0x444444), width: 1)]
        var widest = 0.0
        for (index, value) in axis.ticks.enumerated() {
            let fraction = Self.heatFraction(value, low: axis.low, high: axis.high, logarithmic: data.logarithmic)
            let y = bar.bottom - fraction * bar.height
            items.append(.polyline([DrawingPoint(x: bar.right, y: y), DrawingPoint(x: bar.right + Self.tickLength, y: y)],
                                   color: Color(hex: 0x444444), width: 1))
            items.append(.text(DrawingText(text: axis.labels[index], position: DrawingPoint(
                x: bar.right + Self.tickLength + 3, y: y + Self.tickSize * 0.36), size: Self.tickSize)))
            widest = max(widest, axis.labels[index].width(size: Self.tickSize))
        }
        if let caption = data.colorBarLabel, !caption.isEmpty {
            let text = StyledText(caption).truncated(toWidth: bar.height, size: Self.labelSize)
            items.append(.text(DrawingText(text: text, position: DrawingPoint(
                x: bar.right + Self.tickLength + 3 + widest + 4 + Self.labelSize * 0.95, y: (bar.y + bar.bottom) / 2),
                size: Self.labelSize, anchor: .middle, upward: true)))
        }
        return items
    }
}
