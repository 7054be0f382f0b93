extension KPIService {
    /// `GET /`: a page that documents the API and shows the newest blobs as they arrive.
    func homePage(
        _ request: HTTPRequest,
        _ context: RequestContext,
        _ completion: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        completion(.text(.ok, HomePage.html, contentType: "text/html; charset=utf-8"))
    }
}

/// The HTML of the page at `/`.
enum HomePage {
    static let html = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>LogStore: KPI data</title>
        <style>
        body { font: 15px/1.5 system-ui, sans-serif; margin: 0; background: #f4f4f2; color: #222; }
        main { max-width: 1100px; margin: 0 auto; padding: 1.5rem; display: grid; gap: 2rem; grid-template-columns: 1fr 1fr; }
        @media (max-width: 800px) { main { grid-template-columns: 1fr; } }
        h1 { font-size: 1.6rem; margin: 0 0 .3rem; } h2 { font-size: 1.15rem; }
        code, pre { font: 13px/1.4 ui-monospace, monospace; background: #e8e8e4; border-radius: 3px; }
        code { padding: 0 .25em; } pre { padding: .6em; overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; } td { border-top: 1px solid #ddd; padding: .3em .4em; vertical-align: top; }
        #feed { list-style: none; padding: 0; margin: 0; }
        #feed li { background: #fff; border: 1px solid #ddd; border-radius: 4px; padding: .5em .7em; margin-bottom: .5em; }
        #feed .meta { color: #666; font-size: 13px; } #status { color: #666; font-size: 13px; }
        dialog pre { max-height: 70vh; }
        </style>
        </head>
        <body>
        <main>
        <section>
        <h1>LogStore</h1>
        <p>A store for key performance indicator (KPI) events: clients post JSON blobs, each with a
        Unix <code>timestamp</code>, and read them back by time range, count them, or follow them live.</p>
        <h2>HTTP API</h2>
        <table>
        <tr><td><code>POST /wsapi/interaction_data</code></td><td>Store a blob or an array of blobs: form field
        <code>data</code> with JSON text, or a JSON body <code>{"data": ...}</code>. Answers 201 once the blobs are on disk.</td></tr>
        <tr><td><code>GET /wsapi/interaction_data?start=&amp;end=</code></td><td>Blobs in an inclusive time range, ascending;
        <code>limit</code>, <code>descending=true</code>, <code>format=docs</code> for bare blobs.</td></tr>
        <tr><td><code>GET /wsapi/interaction_data?id=</code></td><td>One blob by id.</td></tr>
        <tr><td><code>GET /wsapi/interaction_data/count</code></td><td>The number of stored blobs; with <code>start</code>/<code>end</code>, of a range.</td></tr>
        <tr><td><code>GET /wsapi/interaction_data/last</code></td><td>The blob with the greatest timestamp, or <code>null</code>.</td></tr>
        <tr><td><code>GET /wsapi/interaction_data/stream</code></td><td>New blobs as they are stored, one JSON line each; <code>since</code> replays from a position.</td></tr>
        <tr><td><code>GET /wsapi/ping</code></td><td>Answers <code>pong</code>.</td></tr>
        </table>
        <h2>Try it</h2>
        <pre>curl -d 'data={"timestamp":1333046104322,"lang":"en"}' http://HOST/wsapi/interaction_data
        curl 'http://HOST/wsapi/interaction_data?start=1333046100000'</pre>
        </section>
        <section>
        <h2>Events live feed</h2>
        <p id="status">Connecting...</p>
        <ul id="feed"></ul>
        </section>
        </main>
        <dialog id="viewer"><pre id="viewer-text"></pre><form method="dialog"><button>Close</button></form></dialog>
        <script>
        const host = location.host;
        document.querySelectorAll("pre").forEach(p => p.textContent = p.textContent.replaceAll("HOST", host));
        const feed = document.getElementById("feed");
        const status = document.getElementById("status");
        function describe(id, doc) {
          const li = document.createElement("li");
          const agent = doc.user_agent || {};
          const events = Array.isArray(doc.event_stream) ? doc.event_stream : [];
          const lastEvent = events.length ? events[events.length - 1] : null;
          const offset = Array.isArray(lastEvent) ? lastEvent.find(v => typeof v === "number") : null;
          const when = typeof doc.timestamp === "number" ? new Date(doc.timestamp > 1e11 ? doc.timestamp : doc.timestamp * 1000) : null;
          const title = document.createElement("div");
          title.textContent = [agent.os, agent.browser, agent.version].filter(Boolean).join(" ") || "unknown agent";
          const meta = document.createElement("div");
          meta.className = "meta";
          meta.textContent = (when ? when.toISOString().replace("T", " ").slice(0, 19) + " UTC" : "no timestamp")
            + (offset != null ? " \\u00b7 " + (offset / 1000).toFixed(1) + " s" : "") + " \\u00b7 ";
          const link = document.createElement("a");
          link.href = "/wsapi/interaction_data?id=" + encodeURIComponent(id);
          link.textContent = "view";
          link.onclick = event => {
            event.preventDefault();
            document.getElementById("viewer-text").textContent = JSON.stringify(doc, null, 2);
            document.getElementById("viewer").showModal();
          };
          meta.appendChild(link);
          li.append(title, meta);
          return li;
        }
        function show(id, doc) {
          feed.prepend(describe(id, doc));
          while (feed.children.length > 7) feed.lastChild.remove();
        }
        async function follow() {
          const recent = await (await fetch("/wsapi/interaction_data?descending=true&limit=7")).json();
          recent.reverse().forEach(row => show(row.id, row.value));
          const response = await fetch("/wsapi/interaction_data/stream");
          status.textContent = "Live.";
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
              if (!line.trim()) continue;
              const change = JSON.parse(line);
              show(change.id, change.doc);
            }
          }
          status.textContent = "Disconnected; retrying...";
          setTimeout(follow, 2000);
        }
        follow().catch(error => { status.textContent = "Disconnected (" + error + "); retrying..."; setTimeout(follow, 5000); });
        </script>
        </body>
        </html>
        """
}
