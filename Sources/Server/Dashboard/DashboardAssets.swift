/// The dashboard's style sheet and script, served from the server itself as `/dashboard.css`
/// and `/dashboard.js`, because the page's Content-Security-Policy allows no inline code.
enum DashboardAssets {
    /// The page icon: three bars.
    static let favicon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect x="1" y="8" width="4" height="7" fill="#2f6f9f"/>\
        <rect x="6" y="4" width="4" height="11" fill="#2f6f9f"/><rect x="11" y="1" width="4" height="14" fill="#d9822b"/></svg>
        """

    static let css = """
        :root { color-scheme: light; --ink: #1d2327; --muted: #5f6b73; --line: #d9dee2; --paper: #f5f6f4; --bar: #2f6f9f; --new: #d9822b; }
        * { box-sizing: border-box; }
        body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; background: var(--paper); color: var(--ink); }
        header, main { max-width: 1160px; margin: 0 auto; padding: 0 1.5rem; }
        header { padding-top: 1.2rem; }
        h1 { font-size: 1.5rem; margin: 0; }
        h1 .subtitle { font-weight: 400; color: var(--muted); }
        h2 { font-size: 1.1rem; margin: 0 0 .6rem; }
        .status, .note { color: var(--muted); font-size: 13px; margin: .2rem 0 .8rem; }
        .problem { background: #fbe9e7; border: 1px solid #e0a39a; padding: .6rem .8rem; border-radius: 4px; }
        section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.2rem; margin-bottom: 1.2rem; }
        .figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 1rem; }
        .figure { display: flex; flex-direction: column; }
        .figure-label { color: var(--muted); font-size: 13px; }
        .figure-value { font-size: 1.7rem; font-variant-numeric: tabular-nums; }
        .picker { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: end; margin-bottom: .8rem; font-size: 14px; }
        .picker label { display: flex; flex-direction: column; color: var(--muted); font-size: 12px; }
        .picker select, .picker input, .picker button { font: inherit; font-size: 14px; padding: .25rem .4rem; }
        #chart { width: 100%; height: auto; display: block; }
        #chart .bar { fill: var(--bar); }
        #chart .bar.live { fill: var(--new); }
        #chart .axis { stroke: var(--muted); stroke-width: 1; }
        #chart .label { fill: var(--muted); font-size: 11px; }
        #feed { list-style: none; padding: 0; margin: 0; }
        #feed li { border-top: 1px solid var(--line); padding: .45rem 0; }
        #feed li:first-child { border-top: 0; }
        #feed li.arrived { animation: arrive 2s ease-out; }
        @keyframes arrive { from { background: #fdf1e4; } to { background: transparent; } }
        #feed .meta { color: var(--muted); font-size: 13px; }
        code, pre { font: 13px/1.4 ui-monospace, "SFMono-Regular", Menlo, monospace; background: #eef0f1; border-radius: 3px; }
        code { padding: 0 .25em; }
        pre { padding: .6rem; overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; }
        td { border-top: 1px solid var(--line); padding: .35rem .4rem; vertical-align: top; }
        dialog { max-width: min(90vw, 900px); border: 1px solid var(--line); border-radius: 6px; }
        dialog pre { max-height: 70vh; }
        .record pre { white-space: pre-wrap; word-break: break-word; }
        """

    /// Live parts: new blobs from the change stream go into the feed, the counts and the chart,
    /// the ingest rate follows them, and "view" opens the blob in a dialog. Without this script
    /// the page still shows everything as of its loading.
    static let javascript = """
        "use strict";
        (function () {
          const feed = document.getElementById("feed");
          const status = document.getElementById("status");
          const total = document.getElementById("total");
          const rate = document.getElementById("rate");
          const rangeTotal = document.getElementById("range-total");
          const chart = document.getElementById("chart");
          const viewer = document.getElementById("viewer");
          const viewerText = document.getElementById("viewer-text");
          const grouped = new Intl.NumberFormat("en-US");
          const opened = Date.now();
          const initialRate = Number(rate.dataset.value || 0);
          const arrivals = [];
          let totalCount = total.dataset.value === undefined ? null : Number(total.dataset.value);
          let chartCount = Number(rangeTotal.dataset.value || 0);
          // The seq of the last change shown, so a reconnection replays what followed it.
          let position = null;

          // fetch() rejects a URL with credentials in it, and a relative path resolves against the
          // page's URL, which keeps them when the page was opened as http://user:password@host/.
          // location.origin never carries them, and the browser still sends its cached ones.
          function apiURL(path) { return new URL(path, location.origin); }

          function pad(value) { return String(value).padStart(2, "0"); }

          function formatTime(timestamp) {
            const date = new Date(timestamp);
            // Beyond a Date's range the server shows the number, and so does the script.
            if (Number.isNaN(date.getTime())) return timestamp + " ms UTC";
            return date.getUTCFullYear() + "-" + pad(date.getUTCMonth() + 1) + "-" + pad(date.getUTCDate()) + " "
              + pad(date.getUTCHours()) + ":" + pad(date.getUTCMinutes()) + ":" + pad(date.getUTCSeconds()) + " UTC";
          }

          function entry(id, doc) {
            const item = document.createElement("li");
            item.className = "arrived";
            const agent = doc.user_agent || {};
            const agentText = ["os", "browser", "version"].map(name => agent[name])
              .filter(value => typeof value === "string" || typeof value === "number").join(" ");
            const events = Array.isArray(doc.event_stream) ? doc.event_stream : [];
            const last = events.length ? events[events.length - 1] : null;
            const duration = Array.isArray(last) ? last.find(value => typeof value === "number") : undefined;
            const title = document.createElement("div");
            title.className = "agent";
            title.textContent = agentText || "unknown agent";
            const meta = document.createElement("div");
            meta.className = "meta";
            const parts = [typeof doc.timestamp === "number" ? formatTime(doc.timestamp) : "no timestamp"];
            if (duration !== undefined) parts.push("signed in after " + (Math.round(duration / 100) / 10) + " s");
            meta.textContent = parts.join(" \\u00b7 ") + " \\u00b7 ";
            const link = document.createElement("a");
            link.className = "view";
            link.href = "/record?id=" + encodeURIComponent(id);
            link.dataset.id = id;
            link.textContent = "view";
            meta.appendChild(link);
            item.append(title, meta);
            return item;
          }

          function addToChart(timestamp) {
            if (!chart || typeof timestamp !== "number") return;
            const bars = Array.from(chart.querySelectorAll(".bar"));
            const bar = bars.find((candidate, index) => timestamp >= Number(candidate.dataset.start)
              && (timestamp < Number(candidate.dataset.end) || index === bars.length - 1 && timestamp === Number(candidate.dataset.end)));
            if (!bar) return;
            bar.dataset.count = String(Number(bar.dataset.count) + 1);
            bar.classList.add("live");
            const title = bar.querySelector("title");
            if (title) title.textContent = title.textContent.replace(/\\d+$/, bar.dataset.count);
            const maximum = Math.max(1, ...bars.map(candidate => Number(candidate.dataset.count)));
            const top = Number(chart.dataset.plotTop);
            const height = Number(chart.dataset.plotHeight);
            for (const candidate of bars) {
              const barHeight = Number(candidate.dataset.count) / maximum * height;
              candidate.setAttribute("y", String(top + height - barHeight));
              candidate.setAttribute("height", String(barHeight));
            }
            const label = document.getElementById("chart-max");
            if (label) label.textContent = String(maximum);
            chartCount += 1;
            rangeTotal.textContent = grouped.format(chartCount);
          }

          function showRate() {
            const now = Date.now();
            while (arrivals.length && arrivals[0] < now - 60000) arrivals.shift();
            // Until the page has watched a full minute, the server's figure covers the rest of it.
            const watched = Math.min(60000, now - opened);
            const perSecond = (initialRate * (60000 - watched) / 1000 + arrivals.length) / 60;
            rate.textContent = perSecond >= 10 ? grouped.format(Math.round(perSecond)) + " /s"
              : (Math.round(perSecond * 10) / 10) + " /s";
          }

          function arrived(change) {
            position = change.seq;
            const empty = document.getElementById("feed-empty");
            if (empty) empty.remove();
            feed.prepend(entry(change.id, change.doc));
            while (feed.children.length > 10) feed.lastElementChild.remove();
            if (totalCount !== null) {
              totalCount += 1;
              total.textContent = grouped.format(totalCount);
            }
            arrivals.push(Date.now());
            addToChart(change.doc.timestamp);
          }

          async function follow() {
            const since = position === null ? "" : "&since=" + encodeURIComponent(position);
            const response = await fetch(apiURL("/wsapi/interaction_data/stream?heartbeat=15000" + since));
            if (response.status === 400 && position !== null) {
              // The server rejected the position, as one from another backend, so start from now.
              position = null;
              throw new Error("the change stream rejected the last position");
            }
            if (!response.ok) throw new Error("the change stream returned " + response.status);
            status.textContent = "Live: new blobs appear as they are stored.";
            const reader = response.body.getReader();
            const decoder = new TextDecoder();
            let text = "";
            for (;;) {
              const { value, done } = await reader.read();
              if (done) break;
              text += decoder.decode(value, { stream: true });
              const lines = text.split("\\r\\n");
              text = lines.pop();
              for (const line of lines) {
                if (line.trim()) arrived(JSON.parse(line));
              }
            }
            throw new Error("the change stream ended");
          }

          function reconnect(error) {
            status.textContent = "Not live (" + error.message + "); reconnecting in 5 s.";
            setTimeout(() => follow().catch(reconnect), 5000);
          }

          feed.addEventListener("click", async event => {
            const link = event.target.closest("a.view");
            if (!link || typeof viewer.showModal !== "function") return;
            event.preventDefault();
            try {
              const response = await fetch(apiURL("/wsapi/interaction_data?id=" + encodeURIComponent(link.dataset.id)));
              const body = await response.json();
              viewerText.textContent = JSON.stringify(response.ok ? body.results : body, null, 2);
            } catch (error) {
              viewerText.textContent = "Could not load the blob: " + error.message;
            }
            viewer.showModal();
          });

          setInterval(showRate, 5000);
          follow().catch(reconnect);
        }());
        """
}
