import SystemCalls

extension KPIService {
    /// `GET /`: the dashboard, rendered from the backend's figures. A bad range in the picker's
    /// parameters gets the default range and a 400 status, with the reason on the page.
    func dashboard(
        _ request: HTTPRequest,
        _ context: RequestContext,
        _ completion: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        let parameters = (try? Self.parameters(of: request)) ?? QueryParameters()
        let host = Self.displayHost(request)
        let now = Double(SystemClock.unixMilliseconds())
        let blobsPerSecond = ingestRate.perSecond()
        let backend = backend
        Self.newest(in: backend, count: 10) { newestResult in
            let newest = (try? newestResult.get()) ?? []
            var problem = newestResult.failureMessage
            var status = HTTPStatus.ok
            let range: DashboardRange
            do throws(Rejection) {
                do throws(Rejection) {
                    range = try DashboardRange(parameters, now: now, newest: newest.first?.timestamp)
                } catch {
                    status = .badRequest
                    problem = error.reason + "; the chart shows the last 24 hours instead."
                    range = try DashboardRange(QueryParameters(), now: now, newest: newest.first?.timestamp)
                }
            } catch {
                completion(error.response)
                return
            }
            let query = range.query
            let (pageStatus, rangeProblem) = (status, problem)
            backend.count(start: nil, end: nil) { countResult in
                backend.histogram(start: query.start, end: query.end, edges: query.edges) { histogramResult in
                    let failure = rangeProblem ?? countResult.failureMessage ?? histogramResult.failureMessage
                    let page = DashboardPage(
                        backendName: backend.name,
                        host: host,
                        now: now,
                        total: try? countResult.get(),
                        storedBytes: backend.storedBytes(),
                        blobsPerSecond: blobsPerSecond,
                        range: range,
                        counts: (try? histogramResult.get()) ?? [Int](repeating: 0, count: query.edges.count + 1),
                        newest: newest.map(FeedEntry.init),
                        problem: failure
                    )
                    completion(Self.htmlResponse(pageStatus, page.html))
                }
            }
        }
    }

    /// `GET /record?id=`: one blob, indented for reading, as the dashboard's "view" links open it
    /// without scripts.
    func recordPage(
        _ request: HTTPRequest,
        _ context: RequestContext,
        _ completion: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        guard let id = (try? Self.parameters(of: request))?["id"], !id.isEmpty else {
            completion(
                Self.htmlResponse(
                    .badRequest,
                    Self.recordHTML(title: "Missing id", body: "<p>Add ?id= with a blob's id.</p>")
                )
            )
            return
        }
        backend.blob(id: id) { result in
            let title = "Blob " + id
            switch result {
            case .success(let blob?):
                let text = JSONPrettyPrinter.format(blob.document)
                let body = "<pre>\(HTMLText.escape(text))</pre>"
                completion(Self.htmlResponse(.ok, Self.recordHTML(title: title, body: body)))
            case .success(nil):
                let body = "<p>There is no blob with this id.</p>"
                completion(Self.htmlResponse(.notFound, Self.recordHTML(title: title, body: body)))
            case .failure(let error):
                let body = "<p class=\"problem\">\(HTMLText.escape(error.message))</p>"
                completion(Self.htmlResponse(error.status, Self.recordHTML(title: title, body: body)))
            }
        }
    }

    /// `GET /dashboard.css`, `GET /dashboard.js` and `GET /favicon.svg`.
    func dashboardAsset(
        _ request: HTTPRequest,
        _ context: RequestContext,
        _ completion: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        let (text, contentType) =
            switch Self.normalize(request.path) {
            case "/dashboard.js": (DashboardAssets.javascript, "text/javascript; charset=utf-8")
            case "/favicon.svg": (DashboardAssets.favicon, "image/svg+xml")
            default: (DashboardAssets.css, "text/css; charset=utf-8")
            }
        var response = HTTPResponse.text(.ok, text, contentType: contentType)
        response.headers.add(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.add(name: "Cache-Control", value: "max-age=300")
        completion(response)
    }

    /// Reads the newest `count` blobs, newest first.
    private static func newest(
        in backend: any StorageBackend,
        count: Int,
        completion: @escaping @Sendable (Result<[StoredBlob], BackendError>) -> Void
    ) {
        let source = backend.range(RangeQuery(limit: count, descending: true))
        source.next(maximum: count) { result in
            source.cancel()
            completion(result)
        }
    }

    private static func htmlResponse(_ status: HTTPStatus, _ html: String) -> HTTPResponse {
        var response = HTTPResponse.text(status, html, contentType: "text/html; charset=utf-8")
        response.headers.add(name: "Content-Security-Policy", value: DashboardPage.contentSecurityPolicy)
        response.headers.add(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.add(name: "Referrer-Policy", value: "no-referrer")
        response.headers.add(name: "Cache-Control", value: "no-store")
        return response
    }

    private static func recordHTML(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTMLText.escape(title)): LogStore</title>
        <link rel="stylesheet" href="/dashboard.css">
        <link rel="icon" href="/favicon.svg" type="image/svg+xml">
        </head>
        <body>
        <header><h1>\(HTMLText.escape(title))</h1><p class="status"><a href="/">Back to the dashboard</a></p></header>
        <main><section class="record">\(body)</section></main>
        </body>
        </html>

        """
    }

    /// Returns the request's `Host` field for the page's examples, or `HOST` when the field is missing or
    /// contains anything but a host name or address with an optional port.
    private static func displayHost(_ request: HTTPRequest) -> String {
        guard let host = request.headers["Host"], !host.isEmpty, host.utf8.count <= 255,
            host.utf8.allSatisfy({ byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || ".-:[]".utf8.contains(byte)
            })
        else {
            return "HOST"
        }
        return host
    }
}

extension Result where Failure == BackendError {
    /// The failure's message, or nil for a success.
    fileprivate var failureMessage: String? {
        if case .failure(let error) = self { error.message } else { nil }
    }
}
