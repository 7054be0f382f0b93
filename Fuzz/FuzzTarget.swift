// The libFuzzer entry point for the request parser, the JSON scanner and the form decoder. It is
// compiled together with their sources by `Fuzz/run`, outside the package, so every check here
// ends in `fatalError`, which libFuzzer reports as a crash with the input that caused it.

/// Feeds one input to every parser and checks the rules the suite's seeded fuzz tests check.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    // NOTE: the only pointer in this harness; libFuzzer's C entry point leaves no other choice.
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    checkRequestParser(bytes)
    checkJSONScanner(bytes)
    checkFormDecoding(bytes)
    return 0
}

private var limits: HTTPRequestParser.Limits {
    var limits = HTTPRequestParser.Limits()
    limits.maximumRequestLineBytes = 256
    limits.maximumHeaderBytes = 512
    limits.maximumHeaderCount = 12
    limits.maximumBodyBytes = 1024
    return limits
}

private let rejectionStatuses: Set<Int> = [400, 413, 414, 417, 431, 501, 505]

/// Parses `pieces` in order, checks each step, and returns the requests and the error.
private func parse(_ pieces: [ArraySlice<UInt8>]) -> (requests: [HTTPRequest], error: HTTPParseError?) {
    var parser = HTTPRequestParser(limits: limits)
    var requests: [HTTPRequest] = []
    for piece in pieces {
        parser.append(piece)
        var calls = 0
        events: while true {
            calls += 1
            if calls > piece.count + 2 + requests.count {
                fatalError("the parser does not settle")
            }
            switch parser.next() {
            case .request(let request):
                if request.body.count > limits.maximumBodyBytes || request.minorVersion > 1 {
                    fatalError("accepted a request beyond the limits: \(request)")
                }
                requests.append(request)
            case .continueExpected:
                continue
            case .needMoreData:
                if parser.bufferedByteCount > 1024 + 2 {
                    fatalError("the parser waits with \(parser.bufferedByteCount) bytes buffered")
                }
                break events
            case .failed(let error):
                if !rejectionStatuses.contains(error.status.code) {
                    fatalError("a parse error has status \(error.status)")
                }
                return (requests, error)
            }
        }
    }
    return (requests, nil)
}

private func checkRequestParser(_ bytes: [UInt8]) {
    let whole = parse([bytes[...]])
    // Byte by byte is the split most unlike one piece; the outcome must not change.
    let single = parse(bytes.indices.map { bytes[$0..<$0 + 1] })
    if whole.requests != single.requests || whole.error != single.error {
        fatalError("the outcome depends on the split: \(whole) whole, \(single) byte by byte")
    }
}

private func checkJSONScanner(_ bytes: [UInt8]) {
    let scanner = JSONScanner()
    let validated = (try? scanner.validate(bytes)) != nil
    do {
        let tree = try JSONValue.parse(bytes)
        if !validated {
            fatalError("JSONValue.parse accepts what validate rejects")
        }
        if (try? scanner.validate(tree.encoded)) == nil {
            fatalError("a parsed tree encodes to invalid JSON")
        }
    } catch {
        if error.offset < 0 || error.offset > bytes.count {
            fatalError("an error offset lies outside the input: \(error)")
        }
    }
    if let blobs = try? scanner.blobs(in: bytes) {
        if !validated {
            fatalError("blobs(in:) accepts what validate rejects")
        }
        for blob in blobs where (try? scanner.validate(bytes, in: blob.range)) == nil || !blob.timestamp.isFinite {
            fatalError("blobs(in:) returns an invalid blob at \(blob.range)")
        }
    }
    if let range = try? scanner.valueRange(ofMember: "data", in: bytes),
        (try? scanner.validate(bytes, in: range)) == nil
    {
        fatalError("valueRange(ofMember:in:) returns an invalid value at \(range)")
    }
}

private func checkFormDecoding(_ bytes: [UInt8]) {
    do {
        let form = try URLEncodedForm(parsing: bytes)
        let decodedBytes = form.fields.reduce(0) { $0 + $1.name.count + $1.value.count }
        if decodedBytes > bytes.count {
            fatalError("decoded fields are longer than the body")
        }
    } catch {
        if error.offset < 0 || error.offset >= bytes.count || bytes[error.offset] != UInt8(ascii: "%") {
            fatalError("a form error does not point at a percent sign: \(error)")
        }
    }
    _ = try? QueryParameters(parsing: String(decoding: bytes, as: UTF8.self))
}
