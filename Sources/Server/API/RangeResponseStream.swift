import Synchronization

/// A range result as a JSON array, produced a page of blobs at a time, so millions of blobs never
/// sit in memory together.
final class RangeResponseStream: ResponseStream, Sendable {
    private enum Stage {
        case opening
        case rows(emitted: Int)
        case done
    }

    private let source: any BlobSource
    private let format: RowFormat
    private let stage = Mutex(Stage.opening)

    init(source: any BlobSource, format: RowFormat) {
        self.source = source
        self.format = format
    }

    func next(maximumBytes: Int, completion: @escaping @Sendable (StreamChunk) -> Void) {
        let emitted: Int
        switch stage.withLock({ $0 }) {
        case .done:
            completion(.end)
            return
        case .opening:
            emitted = 0
        case .rows(let count):
            emitted = count
        }
        // Pages of about maximumBytes for 850-byte blobs, at least one blob.
        let pageSize = max(1, min(1024, maximumBytes / 900))
        source.next(maximum: pageSize) { [self] result in
            switch result {
            case .failure(let error):
                completion(.failed(reason: error.message))
            case .success(let blobs):
                var output: [UInt8] = []
                if emitted == 0 {
                    output.append(UInt8(ascii: "["))
                }
                for (position, blob) in blobs.enumerated() {
                    if emitted + position > 0 {
                        output.append(UInt8(ascii: ","))
                    }
                    format.append(blob, to: &output)
                }
                if blobs.isEmpty {
                    output += Array("]\n".utf8)
                    stage.withLock { $0 = .done }
                } else {
                    stage.withLock { $0 = .rows(emitted: emitted + blobs.count) }
                }
                completion(.bytes(output))
            }
        }
    }

    func cancel() {
        source.cancel()
    }
}
