/// `report-assets/nbrun.css`: the page's look. A readable measure for prose, code and
/// output in boxes that scroll rather than stretch the page, figures no wider than the
/// text, and a contents sidebar on wide screens. A box's `max-height` is whole lines plus its
/// padding and border (`* { box-sizing: border-box }`): a bare `24em` cut the last visible
/// line in half. Library code (`figure.code-include`) is left-aligned like stage code.
enum ReportStylesheet {
    static let css = """
        :root {
          --text: #1f2328; --muted: #59636e; --line: #d1d9e0; --accent: #0b62c4;
          --code-bg: #f6f8fa; --output-bg: #fbfbfc;
          --failed: #b42318; --failed-bg: #fef3f2; --warn: #8a5a00; --warn-bg: #fff8e6;
          --ok: #1a7f37; --ok-bg: #eaf7ee;
          --sans: system-ui, -apple-system, "Segoe UI", "Noto Sans", "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
          --serif: "Charter", "Bitstream Charter", "Georgia", "DejaVu Serif", "Liberation Serif", serif;
          --mono: "DejaVu Sans Mono", "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace;
        }
        * { box-sizing: border-box; }
        html { font-size: 17px; }
        body { margin: 0; color: var(--text); background: #fff; font-family: var(--serif); line-height: 1.6; }
        .page { display: flex; align-items: flex-start; max-width: 1180px; margin: 0 auto; }
        .toc { position: sticky; top: 0; flex: 0 0 250px; max-height: 100vh; overflow-y: auto;
               padding: 28px 12px 28px 20px; font-family: var(--sans); font-size: 0.78rem; line-height: 1.4; }
        .toc-title { margin: 0 0 8px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: 0.06em; font-size: 0.72rem; }
        .toc ul { list-style: none; margin: 0; padding: 0; }
        .toc li { margin: 0; }
        .toc a { display: block; padding: 3px 6px; border-radius: 4px; color: var(--text); text-decoration: none; }
        .toc a:hover { background: var(--code-bg); }
        .toc .level-1 a { font-weight: 600; }
        .toc .level-2 a { font-weight: 600; margin-top: 4px; }
        .toc .level-3 a { padding-left: 16px; }
        .toc .level-4 a { padding-left: 26px; }
        .toc code { font-size: 0.95em; white-space: nowrap; }
        .toc .level-3 a, .toc .level-4 a { display: flex; align-items: baseline; gap: 6px; }
        .toc .badge { font-size: 0.64rem; padding: 0 6px; white-space: nowrap; }
        main { flex: 1 1 auto; min-width: 0; max-width: 860px; padding: 28px 32px 80px; }
        header.title h1 { font-family: var(--sans); font-size: 2rem; line-height: 1.2; margin: 0 0 6px; }
        .run-summary { margin: 0 0 24px; color: var(--muted); font-family: var(--sans); font-size: 0.85rem; }
        h1, h2, h3, h4 { font-family: var(--sans); line-height: 1.25; }
        .prose h1 { font-size: 1.7rem; }
        .prose h2 { font-size: 1.4rem; margin: 2.2em 0 0.6em; padding-bottom: 0.25em; border-bottom: 1px solid var(--line); }
        .prose h3 { font-size: 1.15rem; margin: 1.6em 0 0.5em; }
        .prose p, .prose li { text-align: left; }
        a { color: var(--accent); }
        code { font-family: var(--mono); font-size: 0.86em; background: var(--code-bg); padding: 0.1em 0.3em; border-radius: 4px; }
        pre { font-family: var(--mono); font-size: 0.8rem; line-height: 1.5; overflow: auto; border-radius: 6px; padding: 12px 14px; margin: 12px 0; }
        pre code { background: none; padding: 0; font-size: inherit; }
        pre.code { background: var(--code-bg); border: 1px solid var(--line); max-height: calc(17 * 1.5em + 26px); }
        pre.output { background: var(--output-bg); border: 1px solid var(--line); border-left: 3px solid var(--muted); white-space: pre-wrap; max-height: calc(16 * 1.5em + 26px); }
        blockquote { margin: 1em 0; padding: 0 1em; color: var(--muted); border-left: 3px solid var(--line); }
        table { border-collapse: collapse; margin: 1em 0; font-size: 0.92rem; }
        th, td { border: 1px solid var(--line); padding: 4px 10px; }
        th { background: var(--code-bg); }
        td.right, th.right { text-align: right; } td.center, th.center { text-align: center; }
        .math.display { display: block; margin: 1em 0; overflow-x: auto; overflow-y: hidden; text-align: center; }
        .math-unavailable .math, .math-error { font-family: var(--mono); font-size: 0.86em; color: var(--failed); }
        .katex { font-size: 1.1em; }
        .stage { margin: 28px 0 36px; padding: 16px 20px 12px; border: 1px solid var(--line); border-radius: 8px; background: #fff;
                 box-shadow: 0 1px 2px rgba(31, 35, 40, 0.05); }
        .stage-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px; margin-bottom: 8px; font-family: var(--sans); }
        .stage-head h3 { margin: 0; font-size: 1.05rem; }
        .stage-head .kind { color: var(--muted); font-family: var(--mono); font-size: 0.78rem; }
        .badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-family: var(--sans); font-size: 0.72rem;
                 font-weight: 600; border: 1px solid transparent; vertical-align: 1px; }
        .badge.ran { color: var(--ok); background: var(--ok-bg); border-color: #b7e1c2; }
        .badge.cached { color: var(--accent); background: #eef5fd; border-color: #c4dbf6; }
        .badge.failed, .badge.interrupted { color: var(--failed); background: var(--failed-bg); border-color: #f5c2bd; }
        .badge.not-run, .badge.stale { color: var(--warn); background: var(--warn-bg); border-color: #f0d9a3; }
        .stage.failed, .stage.interrupted { border-color: #f5c2bd; }
        details.source summary { cursor: pointer; color: var(--muted); font-family: var(--sans); font-size: 0.8rem; }
        details.source pre { margin-top: 6px; }
        .parameters { font-family: var(--sans); font-size: 0.85rem; margin: 8px 0; }
        .parameters .label { font-weight: 600; margin-right: 6px; }
        .parameters ul { display: inline; list-style: none; margin: 0; padding: 0; }
        .parameters li { display: inline; margin-right: 12px; }
        .from-set { color: var(--warn); font-size: 0.9em; }
        .from-default { color: var(--muted); font-size: 0.9em; }
        .banner { margin: 10px 0; padding: 10px 14px; border-radius: 6px; font-family: var(--sans); font-size: 0.9rem; border: 1px solid; }
        .banner .message { font-family: var(--mono); font-size: 0.85em; white-space: pre-wrap; word-break: break-word; }
        .banner.failed, .banner.interrupted { color: var(--failed); background: var(--failed-bg); border-color: #f5c2bd; }
        .banner.not-run { color: var(--warn); background: var(--warn-bg); border-color: #f0d9a3; }
        main > .banner { font-size: 1rem; }
        .note, .stale-note, .caption { font-family: var(--sans); font-size: 0.85rem; color: var(--muted); }
        .stale-note { color: var(--warn); }
        .results.stale { opacity: 0.75; border-left: 3px dashed #f0d9a3; padding-left: 10px; }
        figure { margin: 14px 0; text-align: center; }
        figure.code-include { text-align: left; }
        figure img { max-width: 100%; max-height: 34rem; width: auto; height: auto; border: 1px solid var(--line); border-radius: 4px; }
        figcaption { margin-top: 4px; font-family: var(--sans); font-size: 0.8rem; color: var(--muted); }
        .prose img { max-width: 100%; }
        .footer { margin: 10px 0 0; font-family: var(--sans); font-size: 0.78rem; color: var(--muted); font-style: italic; }
        .refused-link { text-decoration: line-through dotted; }
        .swift .kw { color: #cf222e; }
        .swift .ty { color: #8250df; }
        .swift .str { color: #0a3069; }
        .swift .interp { color: #cf222e; }
        .swift .com { color: #6e7781; font-style: italic; }
        .swift .num { color: #0550ae; }
        .swift .attr { color: #953800; }
        @media (max-width: 900px) {
          .page { display: block; }
          .toc { position: static; max-height: none; border-bottom: 1px solid var(--line); }
          main { padding: 20px 16px 60px; }
        }
        @media print {
          .toc { display: none; }
          pre.code, pre.output { max-height: none; }
        }

        """
}
