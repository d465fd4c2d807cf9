/// `report-assets/nbrun.js`: typesets the page's math with the KaTeX copied beside it.
/// It is a file rather than inline script so that the page's Content-Security-Policy can
/// forbid inline script altogether. `trust: false` keeps `\href` and friends from turning
/// TeX in a manifest into links; errors in the TeX are shown in place, not thrown.
/// `maxSize` caps every size the TeX gives (`\rule{100000em}{100000em}` drew a box 1.6M
/// pixels tall) at 20em, and `maxExpand` bounds macro expansion.
/// Debian's libjs-katex also ships `contrib/auto-render.js`, which searches the page's text
/// for delimiters when it is viewed; the renderer has already cut the math out into
/// elements, so rendering each element directly is simpler and cannot mistake a dollar in
/// code or output for math. Typesetting skips what it typeset before (`data-tex`), so that
/// `nbrun watch`, which swaps updated cells into a served page, can call it again.
enum ReportScript {
    static let javaScript = """
        // Typesets every .math element of report.html with KaTeX (report-assets/katex).
        (function () {
          "use strict";
          function typeset() {
            var root = document.documentElement;
            if (typeof katex === "undefined") {
              root.classList.add("math-unavailable");
              return;
            }
            var elements = document.querySelectorAll(".math");
            for (var i = 0; i < elements.length; i++) {
              var element = elements[i];
              if (element.hasAttribute("data-tex")) continue;
              var source = element.textContent;
              try {
                katex.render(source, element, {
                  displayMode: element.classList.contains("display"),
                  throwOnError: false,
                  trust: false,
                  maxExpand: 1000,
                  maxSize: 20,
                  strict: "ignore"
                });
                element.setAttribute("data-tex", source);
              } catch (error) {
                element.classList.add("math-error");
                element.title = String(error);
              }
            }
            root.classList.add("math-typeset");
          }
          // `nbrun watch` swaps new cells into the page and typesets them with this.
          window.nbrunTypeset = typeset;
          if (document.readyState === "loading") {
            document.addEventListener("DOMContentLoaded", typeset);
          } else {
            typeset();
          }
        })();

        """
}
