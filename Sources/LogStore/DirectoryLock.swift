import Glibc
import Synchronization
import SystemCalls

/// The exclusive `flock` on a store's `LOCK` file that keeps a second process from opening the
/// store for writing. The file holds the owner's process id, so the error can name it. The lock
/// goes away with the descriptor, also when the process dies.
final class DirectoryLock: Sendable {
    static let fileName = "LOCK"

    private let descriptor: Mutex<FileDescriptor?>

    private init(descriptor: FileDescriptor) {
        self.descriptor = Mutex(descriptor)
    }

    /// Takes the lock of the store in `directory`, or throws `.locked` naming the process that
    /// holds it.
    static func acquire(directory: String) throws(LogStoreError) -> DirectoryLock {
        let path = directory + "/" + fileName
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(path, flags: O_RDWR | O_CREAT)
        } catch {
            throw LogStoreError.io(error, "the lock file \(path)")
        }
        let isLocked: Bool
        do {
            isLocked = try descriptor.tryLockExclusively()
            if isLocked {
                try descriptor.truncate(to: 0)
                try descriptor.write(Array("\(getpid())\n".utf8), at: 0)
            }
        } catch {
            descriptor.close()
            throw LogStoreError.io(error, "the lock file \(path)")
        }
        guard isLocked else {
            descriptor.close()
            let owner = (try? FileSystem.readFile(path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            let named =
                owner.split(whereSeparator: \.isNewline).first.map { " (its LOCK file names process \($0))" } ?? ""
            throw LogStoreError(
                .locked,
                "the store at \(directory) is open for writing in another process\(named); stop it, or open the store read-only"
            )
        }
        return DirectoryLock(descriptor: descriptor)
    }

    /// The process that holds the lock of the store in `directory`, as its LOCK file names it
    /// (`"?"` when the file names none), or nil when no process holds it. Changes no file.
    static func holder(directory: String) -> String? {
        let path = directory + "/" + fileName
        guard let descriptor = try? FileDescriptor.open(path, flags: O_RDONLY) else {
            return nil
        }
        defer { descriptor.close() }
        guard let isFree = try? descriptor.tryLockExclusively(), !isFree else {
            // Closing the descriptor releases the probe's own lock.
            return nil
        }
        let owner = (try? FileSystem.readFile(path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return owner.split(whereSeparator: \.isNewline).first.map(String.init) ?? "?"
    }

    /// Releases the lock; later calls do nothing.
    func release() {
        descriptor.withLock { descriptor in
            descriptor?.close()
            descriptor = nil
        }
    }

    deinit {
        release()
    }
}
