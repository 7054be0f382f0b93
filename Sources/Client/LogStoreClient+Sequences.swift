extension LogStoreClient {
    /// The changes of a followed change stream, as `followChanges` returns them.
    public struct ChangeSequence: AsyncSequence, Sendable {
        public typealias Element = Change
        public typealias Failure = LogStoreClientError

        let response: StreamingResponse<Change>

        /// Creates the iterator. Iterators of one sequence share its response, so iterate once.
        public func makeAsyncIterator() -> Iterator {
            Iterator(response: response)
        }

        /// The iterator over the changes.
        public struct Iterator: AsyncIteratorProtocol {
            public typealias Element = Change
            public typealias Failure = LogStoreClientError

            let response: StreamingResponse<Change>

            /// Returns the next change, or nil once the server ends the stream or the task is cancelled.
            public mutating func next() async throws(LogStoreClientError) -> Change? {
                try await response.next()
            }

            /// Returns the next change, as `next()` does.
            public mutating func next(
                isolation actor: isolated (any Actor)?
            ) async throws(LogStoreClientError) -> Change? {
                try await response.next()
            }
        }
    }

    /// The rows of a range, as `streamRange` returns them.
    public struct RowSequence: AsyncSequence, Sendable {
        public typealias Element = Row
        public typealias Failure = LogStoreClientError

        let response: StreamingResponse<Row>

        /// Creates the iterator. Iterators of one sequence share its response, so iterate once.
        public func makeAsyncIterator() -> Iterator {
            Iterator(response: response)
        }

        /// The iterator over the rows.
        public struct Iterator: AsyncIteratorProtocol {
            public typealias Element = Row
            public typealias Failure = LogStoreClientError

            let response: StreamingResponse<Row>

            /// Returns the next row, or nil after the last one or once the task is cancelled.
            public mutating func next() async throws(LogStoreClientError) -> Row? {
                try await response.next()
            }

            /// Returns the next row, as `next()` does.
            public mutating func next(
                isolation actor: isolated (any Actor)?
            ) async throws(LogStoreClientError) -> Row? {
                try await response.next()
            }
        }
    }
}
