/// The API reference at the foot of the dashboard, with a `curl` line for each endpoint.
enum DashboardReference {
    /// Renders the section with `host` (the request's `Host` field) in the examples.
    static func html(host: String) -> String {
        let host = HTMLText.escape(host)
        return """
            <section class="reference" aria-labelledby="reference-title">
            <h2 id="reference-title">HTTP API</h2>
            <table>
            <tr><td><code>POST /wsapi/interaction_data</code></td><td>Stores a blob or an array of blobs: form field
            <code>data</code> with JSON text, or a JSON body <code>{"data": ...}</code>. Returns 201 once the blobs are on disk.</td></tr>
            <tr><td><code>GET /wsapi/interaction_data?start=&amp;end=</code></td><td>Blobs in an inclusive time range, ascending.
            <code>limit</code>, <code>descending=true</code> and <code>format=docs</code> (bare blobs) shape the result.</td></tr>
            <tr><td><code>GET /wsapi/interaction_data?id=</code></td><td>One blob by id.</td></tr>
            <tr><td><code>GET /wsapi/interaction_data/count</code></td><td>The number of stored blobs, or of a range with <code>start</code> and <code>end</code>.</td></tr>
            <tr><td><code>GET /wsapi/interaction_data/last</code></td><td>The blob with the greatest timestamp, or <code>null</code>.</td></tr>
            <tr><td><code>GET /wsapi/interaction_data/histogram</code></td><td>Blobs per time bucket: <code>start</code>, <code>end</code>,
            <code>bucket</code> (a width, or <code>minute</code>, <code>hour</code>, <code>day</code>) and <code>unit</code> (<code>ms</code> or <code>s</code>).</td></tr>
            <tr><td><code>GET /wsapi/interaction_data/stream</code></td><td>New blobs as they are stored, one JSON line each; <code>since</code> replays from a position.</td></tr>
            <tr><td><code>GET /metrics</code></td><td>Figures in the Prometheus text format.</td></tr>
            <tr><td><code>GET /health</code></td><td>200 when the store can take and serve blobs, 503 with the reason otherwise.</td></tr>
            <tr><td><code>GET /wsapi/ping</code></td><td>Returns <code>pong</code>.</td></tr>
            </table>
            <pre>curl -d 'data={"timestamp":1333046104322,"lang":"en"}' http://\(host)/wsapi/interaction_data
            curl 'http://\(host)/wsapi/interaction_data?start=1333046100000'
            curl 'http://\(host)/wsapi/interaction_data/histogram?bucket=hour'</pre>
            </section>
            """
    }
}
