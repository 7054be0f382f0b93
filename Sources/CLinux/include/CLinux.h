#ifndef CLINUX_H
#define CLINUX_H

#include <stddef.h>
#include <stdint.h>

/// Returns 1 when the processor has the SSE 4.2 CRC32 instruction, else 0.
int clinux_has_hardware_crc32c(void);

/// Continues a CRC-32C (Castagnoli) over `length` bytes with the processor's CRC32
/// instruction. `crc` is the running value without the final inversion. Call only when
/// `clinux_has_hardware_crc32c()` returned 1.
uint32_t clinux_crc32c_update(uint32_t crc, const void *bytes, size_t length);

/// The `O_DIRECT` open flag, which the C library defines only for GNU sources and whose value
/// differs between architectures.
int clinux_direct_io_flag(void);

/// `flock(2)`; Swift cannot call it by name because `struct flock` hides the function.
int clinux_flock(int descriptor, int operation);

/// Names the calling thread with `pthread_setname_np` (a GNU extension); `name` has at most 15 bytes.
void clinux_set_thread_name(const char *name);

/// One readiness event, laid out like `struct epoll_event` but without its packed attribute, which
/// Swift cannot import faithfully.
typedef struct {
    uint32_t events;
    uint64_t data;
} clinux_epoll_event;

enum {
    CLINUX_EPOLLIN = 0x001,
    CLINUX_EPOLLOUT = 0x004,
    CLINUX_EPOLLERR = 0x008,
    CLINUX_EPOLLHUP = 0x010,
    CLINUX_EPOLLRDHUP = 0x2000,
    CLINUX_EPOLL_CTL_ADD = 1,
    CLINUX_EPOLL_CTL_DEL = 2,
    CLINUX_EPOLL_CTL_MOD = 3,
};

/// `epoll_create1(EPOLL_CLOEXEC)`.
int clinux_epoll_create(void);

/// `epoll_ctl` with an event of `events` whose data word is `data`.
int clinux_epoll_ctl(int epoll, int operation, int descriptor, uint32_t events, uint64_t data);

/// `epoll_wait` into `events`, at most `capacity` of them.
int clinux_epoll_wait(int epoll, clinux_epoll_event *events, int capacity, int timeout_milliseconds);

/// `eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)`.
int clinux_eventfd(void);

/// `accept4` with `SOCK_NONBLOCK | SOCK_CLOEXEC`, ignoring the peer address.
int clinux_accept(int listener);

#endif
