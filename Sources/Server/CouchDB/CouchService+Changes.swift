/// `GET` and `POST /{db}/_changes`.
extension CouchService {
    func changes(_ call: CouchCall, database: CouchDatabase) {
        guard call.method == "GET" || call.method == "POST" else {
            return call.methodNotAllowed(["GET", "HEAD", "POST"])
        }
        do throws(CouchError) {
            let options = try changesOptions(call, database: database)
            let feed = ChangesFeed(database: database, options: options)
            var headers = HTTPHeaders([("Content-Type", feed.contentType)])
            if options.style == .eventsource {
                headers.add(name: "Cache-Control", value: "no-cache")
            }
            call.respond(HTTPResponse(status: .ok, headers: headers, body: .stream(feed)))
        } catch {
            call.fail(error)
        }
    }

    private func changesOptions(_ call: CouchCall, database: CouchDatabase) throws(CouchError) -> ChangesFeed.Options {
        var options = ChangesFeed.Options()
        switch call.query["feed"] ?? "normal" {
        case "normal": options.style = .normal
        case "longpoll": options.style = .longpoll
        case "continuous", "live": options.style = .continuous
        case "eventsource": options.style = .eventsource
        case let other:
            throw .badRequest("Supported `feed` types: normal, continuous, live, longpoll, eventsource; not \(other)")
        }
        let since = call.request.headers["Last-Event-ID"] ?? call.query["last-event-id"] ?? call.query["since"]
        switch since {
        case nil, "0":
            options.first = 1
        case "now":
            options.first = database.store.nextSequence
        case let text?:
            let value = (try? JSONValue.parse(Array(text.utf8))) ?? .string(text)
            guard let sequence = CouchSequence.parse(value) else {
                throw .badRequest("Malformed sequence supplied in 'since' parameter: \(text)")
            }
            options.first = sequence == .max ? .max : sequence + 1
        }
        if let limit = call.query["limit"] {
            guard let value = Int(limit), value >= 0 else {
                throw .badRequest("The limit value should be a non-negative integer.")
            }
            options.limit = value
        }
        options.descending = try call.boolParameter("descending") ?? false
        options.includeDocuments = try call.boolParameter("include_docs") ?? false
        if let heartbeat = call.query["heartbeat"] {
            if heartbeat == "true" {
                options.heartbeat = .seconds(60)
            } else if heartbeat != "false" {
                guard let milliseconds = Int(heartbeat), milliseconds > 0 else {
                    throw .badRequest("Invalid heartbeat value. Expecting a positive integer value (in milliseconds).")
                }
                options.heartbeat = .milliseconds(max(milliseconds, 10))
            }
        }
        if let timeout = call.query["timeout"] {
            guard let milliseconds = Int(timeout), milliseconds >= 0 else {
                throw .badRequest("Invalid timeout value. Expecting a non-negative integer value (in milliseconds).")
            }
            options.timeout = .milliseconds(milliseconds)
        }
        if let style = call.query["style"], style != "main_only" && style != "all_docs" {
            throw .badRequest("Invalid `style` value: \(style); use main_only or all_docs")
        }
        try applyFilter(call, to: &options)
        return options
    }

    /// `filter=_doc_ids` with ids from the query or the body, or `filter=_selector` with a Mango
    /// selector in the body. Filters that run code are not supported.
    private func applyFilter(_ call: CouchCall, to options: inout ChangesFeed.Options) throws(CouchError) {
        let body = call.method == "POST" ? try call.objectBody(allowEmpty: true) : .object([])
        switch call.query["filter"] {
        case nil:
            if let ids = body["doc_ids"] {
                options.documentIDs = try Self.documentIDs(ids)
            }
        case "_doc_ids":
            let fromQuery = try call.jsonParameter("doc_ids")
            guard let ids = body["doc_ids"] ?? fromQuery else {
                throw .badRequest("filter=_doc_ids needs doc_ids, in the body or the query")
            }
            options.documentIDs = try Self.documentIDs(ids)
        case "_selector":
            guard let selector = body["selector"] else {
                throw .badRequest("filter=_selector needs a selector in the body")
            }
            options.selector = try MangoSelector.parse(selector)
        case let filter?:
            throw .notImplemented("the changes filter \(filter)")
        }
    }

    private static func documentIDs(_ value: JSONValue) throws(CouchError) -> Set<String> {
        guard let array = value.arrayValue else {
            throw .badRequest("`doc_ids` filter parameter is not a list of doc ids.")
        }
        var ids = Set<String>()
        for element in array {
            guard let id = element.stringValue else {
                throw .badRequest("`doc_ids` filter parameter is not a list of doc ids.")
            }
            ids.insert(id)
        }
        return ids
    }
}
