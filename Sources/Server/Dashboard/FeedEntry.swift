import HTTPClient

/// A stored blob as the dashboard's feed shows it: the user agent, the sign-in duration (the
/// offset of the last event in Persona's `event_stream`) and the time.
struct FeedEntry: Equatable {
    var id: String
    var agent: String
    /// Milliseconds from the first to the last event, or nil when the blob has no event stream.
    var durationMilliseconds: Double?
    var timestamp: Double?

    /// The largest blob whose user agent and duration the feed reads. A Persona sign-in takes a
    /// few KiB, while a document stored through the CouchDB API may take 64 MiB, and parsing ten
    /// of those on every load of the page stalled its event loop for seconds.
    static let maximumParsedBytes = 64 * 1024

    /// Reads the fields from `blob`; a blob that is not a Persona sign-in, or is larger than
    /// `maximumParsedBytes`, still gets an entry with its id and time.
    init(_ blob: StoredBlob) {
        id = blob.id
        timestamp = blob.timestamp
        let document = blob.document.count <= Self.maximumParsedBytes ? try? JSONValue.parse(blob.document) : nil
        let userAgent = document?["user_agent"]
        let agentParts = ["os", "browser", "version"].compactMap { name -> String? in
            switch userAgent?[name] {
            case .string(let text)?: text
            case .number(let text)?: text
            default: nil
            }
        }
        agent = agentParts.isEmpty ? "unknown agent" : agentParts.joined(separator: " ")
        // Persona wrote each event as [name, offset in milliseconds].
        let lastEvent = document?["event_stream"]?.arrayValue?.last
        durationMilliseconds = lastEvent?.arrayValue?.lazy.compactMap(\.doubleValue).first
    }

    /// Renders the entry as an HTML list item, with every value from the blob escaped.
    var html: String {
        var meta: [String] = []
        if let timestamp {
            meta.append(UTCTime.format(milliseconds: timestamp) + " UTC")
        } else {
            meta.append("no timestamp")
        }
        if let durationMilliseconds {
            let seconds = (durationMilliseconds / 100).rounded() / 10
            meta.append("signed in after \(seconds) s")
        }
        let link = "/record?id=" + PercentEncoding.encode(id)
        return """
            <li><div class="agent">\(HTMLText.escape(agent))</div><div class="meta">\
            \(HTMLText.escape(meta.joined(separator: " · "))) · \
            <a class="view" href="\(HTMLText.escape(link))" data-id="\(HTMLText.escape(id))">view</a></div></li>
            """
    }
}
