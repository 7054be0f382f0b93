import Logging
import SystemCalls

extension KPIService {
    /// `POST /wsapi/interaction_data`: a form field `data` holding JSON text (Persona's form
    /// posts) or a JSON body `{"data": ...}` whose value is a blob, an array of blobs, or a string
    /// of JSON text. Every blob must be an object with a numeric `timestamp`; the batch is stored
    /// whole or not at all, and the answer comes once it is durable.
    func save(
        _ request: HTTPRequest,
        _ context: RequestContext,
        _ completion: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        let text: [UInt8]
        let scanned: [JSONBlob]
        switch dataField(of: request) {
        case .success(.split(let body, let blobs)):
            text = body
            scanned = blobs
        case .success(.text(let data)):
            do {
                text = data
                scanned = try scanner.blobs(in: data)
            } catch {
                completion(.error(.badRequest, error: "bad_request", reason: error.description))
                return
            }
        case .failure(let rejection):
            completion(rejection.response)
            return
        }
        let blobs = scanned.map { blob in
            // A single blob in a form's `data`, or in a `data` string, usually spans the whole text,
            // which then needs no copy. Blobs split from a whole JSON body never do.
            let bytes = blob.range == text.indices ? text : Array(text[blob.range])
            return NewBlob(bytes: bytes, timestamp: blob.timestamp)
        }

        let wantsJSON = Self.accepts(request, "application/json")
        let blobCount = blobs.count
        backend.save(blobs) { [ingestRate] result in
            switch result {
            case .success(let stored):
                ingestRate.record(stored)
                if wantsJSON {
                    completion(.json(.created, Array("{\"ok\":true,\"stored\":\(stored)}".utf8)))
                } else {
                    completion(Self.createdResponse)
                }
            case .failure(let error):
                context.logger.error(
                    "storing a batch failed",
                    metadata: ["blobs": "\(blobCount)", "error": error.message]
                )
                let name = error.status == .insufficientStorage ? "insufficient_storage" : "storage_failed"
                completion(.error(error.status, error: name, reason: error.message))
            }
        }
    }

    /// The response to a stored POST without `Accept: application/json`, built once because every
    /// such POST gets the same one.
    private static let createdResponse = HTTPResponse.text(.created, "ok")

    /// A POST's `data`: its JSON text, or the blobs of a body that one pass already split.
    private enum DataField {
        case text([UInt8])
        /// The blobs, whose ranges index `body`.
        case split(body: [UInt8], blobs: [JSONBlob])
    }

    /// Returns the request's `data`, or the response that rejects the request.
    private func dataField(of request: HTTPRequest) -> Result<DataField, Rejection> {
        let body: [UInt8]
        switch decodedBody(of: request) {
        case .success(let bytes):
            body = bytes
        case .failure(let rejection):
            return .failure(rejection)
        }
        let mediaType = Self.mediaType(of: request.headers["Content-Type"] ?? "")
        if HTTPHeaders.equalNames(mediaType, "application/json") {
            return jsonData(body)
        }
        if mediaType.isEmpty || HTTPHeaders.equalNames(mediaType, "application/x-www-form-urlencoded") {
            return formData(body).map(DataField.text)
        }
        return .failure(
            Rejection(
                .unsupportedMediaType,
                error: "unsupported_media_type",
                reason: "send the blobs as application/x-www-form-urlencoded with a data field, or as application/json"
            )
        )
    }

    /// The body with its content coding removed: a gzip body is inflated up to
    /// `maximumInflatedBytes`; any other coding is rejected.
    private func decodedBody(of request: HTTPRequest) -> Result<[UInt8], Rejection> {
        // Most requests have no Content-Encoding, and looking for the field costs far less than
        // splitting its value into tokens.
        guard request.headers["Content-Encoding"] != nil else {
            return .success(request.body)
        }
        let codings = request.headers.tokens(of: "Content-Encoding").filter { $0 != "identity" }
        guard !codings.isEmpty else {
            return .success(request.body)
        }
        guard codings == ["gzip"] || codings == ["x-gzip"] else {
            return .failure(
                Rejection(
                    .unsupportedMediaType,
                    error: "unsupported_media_type",
                    reason:
                        "Content-Encoding \(codings.joined(separator: ", ")) is not supported; send the body as is or gzip-coded"
                )
            )
        }
        do {
            return .success(try GzipDecoder.decode(request.body, maximumSize: configuration.maximumInflatedBytes))
        } catch  where error.kind == .tooLarge {
            return .failure(
                Rejection(
                    .contentTooLarge,
                    error: "request_too_large",
                    reason: "the gzip body inflates past \(configuration.maximumInflatedBytes) bytes"
                )
            )
        } catch {
            return .failure(
                Rejection(.badRequest, error: "bad_request", reason: "the gzip body is damaged: \(error.reason)")
            )
        }
    }

    private func formData(_ body: [UInt8]) -> Result<[UInt8], Rejection> {
        // Every field is decoded, so that a bad escape anywhere is rejected, but only the first
        // `data` value is kept, without building a `URLEncodedForm` of all fields.
        var data: [UInt8]?
        do {
            try PercentDecoding.decodePairs(body) { name, value, _ throws(FormDecodingError) in
                if data == nil && name.elementsEqual(Self.dataFieldName) {
                    data = value
                }
            }
        } catch {
            return .failure(
                Rejection(.badRequest, error: "bad_request", reason: "the form body is malformed: \(error)")
            )
        }
        guard let data, !data.isEmpty else {
            return .failure(
                Rejection(.badRequest, error: "bad_request", reason: "the body has no data field with the blobs")
            )
        }
        return .success(data)
    }

    private static let dataFieldName = Array("data".utf8)

    private func jsonData(_ body: [UInt8]) -> Result<DataField, Rejection> {
        if let blobs = scanner.blobs(inOnlyDataMemberOf: body) {
            return .success(.split(body: body, blobs: blobs))
        }
        let range: Range<Int>?
        do {
            _ = try scanner.validate(body)
            guard JSONScanner.kind(ofValueAt: Self.firstValueOffset(body), in: body) == .object else {
                return .failure(
                    Rejection(
                        .badRequest,
                        error: "bad_request",
                        reason: "the JSON body must be an object with a data member"
                    )
                )
            }
            range = try scanner.valueRange(ofMember: "data", in: body)
        } catch {
            return .failure(
                Rejection(.badRequest, error: "bad_request", reason: "the body is not valid JSON: \(error)")
            )
        }
        guard let range else {
            return .failure(Rejection(.badRequest, error: "bad_request", reason: "the JSON body has no data member"))
        }
        guard JSONScanner.kind(ofValueAt: range.lowerBound, in: body) == .string else {
            return .success(.text(Array(body[range])))
        }
        do {
            return .success(.text(try JSONScanner.decodeString(body, literal: range)))
        } catch {
            return .failure(
                Rejection(.badRequest, error: "bad_request", reason: "the data string is malformed: \(error)")
            )
        }
    }

    /// Returns the media type of a `Content-Type` value: what precedes any parameters, without the
    /// spaces around it.
    private static func mediaType(of contentType: String) -> Substring {
        let bytes = contentType.utf8.span
        var end = 0
        while end < bytes.count && bytes[end] != UInt8(ascii: ";") {
            end += 1
        }
        var first = 0
        while first < end && isSpaceOrTab(bytes[first]) {
            first += 1
        }
        var last = end
        while last > first && isSpaceOrTab(bytes[last - 1]) {
            last -= 1
        }
        let utf8 = contentType.utf8
        return contentType[utf8.index(utf8.startIndex, offsetBy: first)..<utf8.index(utf8.startIndex, offsetBy: last)]
    }

    private static func isSpaceOrTab(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    /// The offset of the first byte that is not JSON whitespace.
    private static func firstValueOffset(_ bytes: [UInt8]) -> Int {
        bytes.firstIndex { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } ?? bytes.count
    }

    /// True when the request's `Accept` field lists `mediaType`.
    static func accepts(_ request: HTTPRequest, _ mediaType: String) -> Bool {
        guard request.headers["Accept"] != nil else {
            return false
        }
        return request.headers.tokens(of: "Accept").contains {
            $0.split(separator: ";").first.map { $0.trimmingASCIISpaces() } == mediaType
        }
    }
}
