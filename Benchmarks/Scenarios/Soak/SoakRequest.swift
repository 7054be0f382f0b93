import HTTPClient

/// One `POST /wsapi/interaction_data` of a soak run, with its blobs in one of the body encodings
/// that the server accepts.
struct SoakRequest {
    enum Encoding: CaseIterable {
        /// `data=<percent-encoded JSON>`, as Persona posted.
        case form
        /// `{"data":<blob or array>}`, whose blobs the server stores as they appear in the body.
        case jsonValue
        /// `{"data":"<JSON text as a string>"}`, which the server unescapes before storing.
        case jsonString
    }

    let id: SoakRequestID
    let blobCount: Int
    let encoding: Encoding
    let acceptsJSON: Bool
    let clientRequest: ClientRequest

    /// Builds the request. One blob is sent alone, two or more as a JSON array.
    init(id: SoakRequestID, blobs: [[UInt8]], encoding: Encoding, acceptsJSON: Bool) {
        precondition(!blobs.isEmpty, "a request needs at least one blob")
        self.id = id
        blobCount = blobs.count
        self.encoding = encoding
        self.acceptsJSON = acceptsJSON

        let json =
            blobs.count == 1
            ? blobs[0] : Array("[".utf8) + Array(blobs.joined(separator: Array(",".utf8))) + Array("]".utf8)
        var fields: [(name: String, value: String)] = []
        let body: [UInt8]
        switch encoding {
        case .form:
            fields.append(("Content-Type", "application/x-www-form-urlencoded"))
            body = Array("data=".utf8) + PercentEncoding.encode(json)
        case .jsonValue:
            fields.append(("Content-Type", "application/json"))
            body = Array(#"{"data":"#.utf8) + json + Array("}".utf8)
        case .jsonString:
            fields.append(("Content-Type", "application/json"))
            body =
                Array(#"{"data":"#.utf8) + Array(JSONLine.quoted(String(decoding: json, as: UTF8.self)).utf8)
                + Array("}".utf8)
        }
        if acceptsJSON {
            fields.append(("Accept", "application/json"))
        }
        clientRequest = ClientRequest("POST", "/wsapi/interaction_data", fields: fields, body: body)
    }

    /// The body of the `201` response that confirms every blob: `{"ok":true,"stored":N}` for a
    /// request that accepts JSON, else `ok`.
    var expectedResponseBody: [UInt8] {
        Array((acceptsJSON ? #"{"ok":true,"stored":\#(blobCount)}"# : "ok").utf8)
    }
}
