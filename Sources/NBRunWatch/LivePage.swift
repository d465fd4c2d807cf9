import Foundation
import NBRunEngine
import NBRunReport

/// The served page: `report.html` as nbrun wrote it, plus one script and one stylesheet of
/// the server's, and `connect-src 'self'` added to its Content-Security-Policy so that the
/// script may open its WebSocket. The file on disk is never changed: written, it stays the
/// static offline page it always was.
public enum LivePage {
    public static let scriptPath = "/_nbrun/live.js"
    public static let stylePath = "/_nbrun/live.css"
    public static let socketPath = "/_nbrun/live"
    public static let reportPath = "/_nbrun/report"

    /// The report's own policy, and the connection to the server it came from.
    public static let contentSecurityPolicy = HTMLReportRenderer.contentSecurityPolicy + "; connect-src 'self'"

    /// `report.html` made live. The script comes before the report's own (scripts with
    /// `defer` run in order), so it sees the cells as written, before KaTeX typesets them.
    /// `version` is the server's count of reports: the page asks for a newer one when told.
    public static func served(_ html: String, version: Int) -> String {
        let meta = "<meta http-equiv=\"Content-Security-Policy\" content=\"\(HTMLReportRenderer.contentSecurityPolicy)\">"
        guard let range = html.range(of: meta) else {
            // Not a report of this nbrun: served with the live parts in front, under the same policy.
            return "<!DOCTYPE html>\n" + liveHead(version: version) + "\n" + html
        }
        return html.replacingCharacters(in: range, with: liveHead(version: version))
    }

    /// What ``served(_:version:)`` puts in place of the report's policy (for the tests).
    public static func liveHeadForTests(version: Int) -> String { liveHead(version: version) }

    static func liveHead(version: Int) -> String {
        "<meta http-equiv=\"Content-Security-Policy\" content=\"\(contentSecurityPolicy)\">\n"
            + "<meta name=\"nbrun-version\" content=\"\(version)\">\n"
            + "<link rel=\"stylesheet\" href=\"\(stylePath)\">\n<script defer src=\"\(scriptPath)\"></script>"
    }

    /// What the page shows before the first report is written (the first run is still going,
    /// or failed before writing one).
    public static func waiting(title: String, version: Int) -> String {
        let name = HTMLText.escaped(title)
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            \(liveHead(version: version))
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(name)</title>
            </head>
            <body>
            <main><header class="title"><h1>\(name)</h1><p class="run-summary">No report yet: the first run is writing it.</p></header></main>
            </body>
            </html>

            """
    }

    public static let style = """
        /* nbrun watch: the status bar, and the marks on cells a save changed or made stale. */
        #nbrun-live { position: fixed; top: 0; right: 0; z-index: 10; max-width: 42rem; margin: 0.5rem;
          padding: 0.35rem 0.7rem; border-radius: 0.4rem; font: 13px/1.4 system-ui, sans-serif;
          background: #f3f4f6; color: #1f2937; border: 1px solid #d1d5db; box-shadow: 0 1px 3px rgba(0,0,0,0.12); }
        #nbrun-live.running { background: #eff6ff; border-color: #93c5fd; }
        #nbrun-live.failed, #nbrun-live.error { background: #fef2f2; border-color: #fca5a5; color: #7f1d1d; }
        #nbrun-live.disconnected { background: #fffbeb; border-color: #fcd34d; }
        #nbrun-live .nbrun-live-message { display: block; white-space: pre-wrap; font: 12px/1.35 ui-monospace, monospace;
          max-height: 40vh; overflow: auto; margin-top: 0.3rem; }
        .nbrun-changed { animation: nbrun-flash 2.5s ease-out; }
        @keyframes nbrun-flash { from { background-color: #fef9c3; } to { background-color: transparent; } }
        .nbrun-stale { opacity: 0.55; }
        .nbrun-running { outline: 2px solid #93c5fd; outline-offset: 4px; }

        """

    /// The page's side. It opens a WebSocket to the server; on a new report it fetches the
    /// report, swaps in the blocks of `main` whose HTML changed (keeping every other node,
    /// its images and its typeset math), keeps the block at the top of the window where it
    /// was, flashes what changed, and typesets the new math. Status messages drive the bar:
    /// the running stage and its progress, errors, and which cells are about to be recomputed.
    /// Everything from the server is put in the page as text, never as markup, except the
    /// report itself, which nbrun escaped when it wrote it.
    public static let script = """
        // nbrun watch: keeps this page in step with the notebook while it is edited.
        (function () {
          "use strict";
          var served = document.querySelector('meta[name="nbrun-version"]');
          var version = served ? Number(served.getAttribute("content")) : -1;
          var written = new Map();
          var said = new Map();
          var bar = null;
          var loading = null;

          function key(element, counts) {
            if (element.id) return "#" + element.id;
            var base = element.tagName + "." + element.className;
            var n = (counts[base] || 0) + 1;
            counts[base] = n;
            return base + ":" + n;
          }
          function blocks(main) {
            var result = [], counts = {};
            for (var i = 0; i < main.children.length; i++) {
              var element = main.children[i];
              if (element.id === "nbrun-live") continue;
              result.push({ key: key(element, counts), element: element });
            }
            return result;
          }
          // What a cell says, without what every run changes (its badges, its footer, its
          // state class): a cached stage whose badge went from "ran now" to "cached" is
          // updated, but it is not flashed as if the save had changed it.
          function content(element) {
            var copy = element.cloneNode(true);
            var volatile = copy.querySelectorAll(".badge, .footer, .run-summary");
            for (var i = 0; i < volatile.length; i++) volatile[i].remove();
            copy.removeAttribute("class");
            return copy.outerHTML;
          }
          function remember() {
            var main = document.querySelector("main");
            if (!main) return;
            blocks(main).forEach(function (block) {
              written.set(block.key, block.element.outerHTML);
              said.set(block.key, content(block.element));
            });
            var toc = document.querySelector("nav.toc");
            if (toc) written.set("nav", toc.outerHTML);
          }
          function statusBar() {
            if (!bar) {
              bar = document.createElement("div");
              bar.id = "nbrun-live";
              bar.setAttribute("role", "status");
              document.body.appendChild(bar);
            }
            return bar;
          }
          function show(state, text, message) {
            var element = statusBar();
            element.className = state;
            element.textContent = text;
            if (message) {
              var detail = document.createElement("span");
              detail.className = "nbrun-live-message";
              detail.textContent = message;
              element.appendChild(detail);
            }
          }
          function sectionOf(stage) {
            var sections = document.querySelectorAll("section.stage");
            for (var i = 0; i < sections.length; i++) {
              var code = sections[i].querySelector(".stage-head h3 code");
              if (code && code.textContent === stage) return sections[i];
            }
            return null;
          }
          function mark(stale, running) {
            var sections = document.querySelectorAll("section.stage");
            for (var i = 0; i < sections.length; i++) {
              sections[i].classList.remove("nbrun-stale");
              sections[i].classList.remove("nbrun-running");
            }
            (stale || []).forEach(function (stage) { var s = sectionOf(stage); if (s) s.classList.add("nbrun-stale"); });
            if (running) { var r = sectionOf(running); if (r) r.classList.add("nbrun-running"); }
          }
          function status(message) {
            var text;
            switch (message.state) {
              case "running":
                text = message.stage ? "Running " + message.stage + (message.progress ? ": " + message.progress : "…") : "Running…";
                break;
              case "idle": text = "Up to date"; break;
              case "failed": text = "The last run failed: its report shows where"; break;
              case "interrupted": text = "Stopped"; break;
              case "error": text = "The notebook could not run"; break;
              default: text = message.state;
            }
            show(message.state, text, message.message);
            mark(message.stale, message.state === "running" ? message.stage : null);
          }
          function anchor(main) {
            var list = blocks(main);
            for (var i = 0; i < list.length; i++) {
              var box = list[i].element.getBoundingClientRect();
              if (box.bottom > 0) return { key: list[i].key, top: box.top };
            }
            return null;
          }
          function apply(html, next) {
            var fresh = new DOMParser().parseFromString(html, "text/html");
            var main = document.querySelector("main"), newMain = fresh.querySelector("main");
            if (!main || !newMain) return;
            var before = anchor(main);
            var old = new Map();
            blocks(main).forEach(function (block) { old.set(block.key, block.element); });
            var changed = [];
            var list = blocks(newMain);
            var kept = list.map(function (block) {
              var html = block.element.outerHTML;
              var same = old.get(block.key);
              if (same && written.get(block.key) === html) return same;
              var node = document.importNode(block.element, true);
              var images = node.querySelectorAll("img");
              for (var i = 0; i < images.length; i++) {
                var source = images[i].getAttribute("src");
                if (source) images[i].setAttribute("src", source + (source.indexOf("?") < 0 ? "?" : "&") + "v=" + next);
              }
              written.set(block.key, html);
              var now = content(block.element);
              if (said.get(block.key) !== now) changed.push(node);
              said.set(block.key, now);
              return node;
            });
            var liveBar = bar;
            while (main.firstChild) main.removeChild(main.firstChild);
            kept.forEach(function (node) { main.appendChild(node); });
            var toc = document.querySelector("nav.toc"), newToc = fresh.querySelector("nav.toc");
            if (toc && newToc && written.get("nav") !== newToc.outerHTML) {
              written.set("nav", newToc.outerHTML);
              toc.replaceWith(document.importNode(newToc, true));
            }
            if (fresh.title) document.title = fresh.title;
            if (liveBar && !liveBar.isConnected) document.body.appendChild(liveBar);
            if (before) {
              var after = blocks(main).filter(function (block) { return block.key === before.key; })[0];
              if (after) window.scrollBy(0, after.element.getBoundingClientRect().top - before.top);
            }
            changed.forEach(function (node) {
              if (node.classList.contains("title")) return;
              node.classList.add("nbrun-changed");
              setTimeout(function () { node.classList.remove("nbrun-changed"); }, 2600);
            });
            if (typeof window.nbrunTypeset === "function") window.nbrunTypeset();
            version = next;
            document.documentElement.setAttribute("data-nbrun-version", String(next));
          }
          function load(next) {
            if (loading === next) return;
            loading = next;
            fetch("\(reportPath)?v=" + next, { cache: "no-store" })
              .then(function (response) { return response.ok ? response.text() : null; })
              .then(function (html) {
                if (html === null) return;
                if (!document.querySelector("main section, main .prose")) { location.reload(); return; }
                apply(html, next);
              })
              .catch(function () {})
              .then(function () { if (loading === next) loading = null; });
          }
          function connect() {
            var socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "\(socketPath)");
            socket.onmessage = function (event) {
              var message;
              try { message = JSON.parse(event.data); } catch (error) { return; }
              if (message.type === "status") status(message);
              else if (message.type === "report" && message.version !== version) load(message.version);
            };
            socket.onclose = function () {
              show("disconnected", "Not connected to nbrun watch; retrying…");
              setTimeout(connect, 1000);
            };
          }
          function start() {
            document.documentElement.setAttribute("data-nbrun-version", String(version));
            remember();
            connect();
          }
          if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
          else start();
        })();

        """
}
