#define _GNU_SOURCE
#include "CLinux.h"

#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/socket.h>

int clinux_direct_io_flag(void) {
    return O_DIRECT;
}

int clinux_flock(int descriptor, int operation) {
    return flock(descriptor, operation);
}

void clinux_set_thread_name(const char *name) {
    pthread_setname_np(pthread_self(), name);
}

int clinux_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

int clinux_epoll_ctl(int epoll, int operation, int descriptor, uint32_t events, uint64_t data) {
    struct epoll_event event;
    event.events = events;
    event.data.u64 = data;
    return epoll_ctl(epoll, operation, descriptor, &event);
}

int clinux_epoll_wait(int epoll, clinux_epoll_event *events, int capacity, int timeout_milliseconds) {
    struct epoll_event raw[256];
    if (capacity > 256) {
        capacity = 256;
    }
    int count = epoll_wait(epoll, raw, capacity, timeout_milliseconds);
    for (int index = 0; index < count; index++) {
        events[index].events = raw[index].events;
        events[index].data = raw[index].data.u64;
    }
    return count;
}

int clinux_eventfd(void) {
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

int clinux_accept(int listener) {
    return accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int clinux_has_hardware_crc32c(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") ? 1 : 0;
#else
    return 0;
#endif
}

#if defined(__x86_64__)

/* The CRC32 instruction has a latency of three cycles but can start one every cycle, so three
 * independent streams over three adjacent blocks run about three times faster than one. The
 * streams are then joined: for raw CRC states (no final inversion) the state after A followed by
 * B equals shift(state after A) XOR (state after B started from zero), where shift appends as
 * many zero bytes as B is long. Appending a fixed number of zero bytes is a linear map on the
 * 32-bit state, kept here as four 256-entry tables, one per state byte. */

enum { SHORT_BLOCK = 256, LONG_BLOCK = 8192 };

static uint32_t shift_short[4][256];
static uint32_t shift_long[4][256];
static pthread_once_t shift_tables_once = PTHREAD_ONCE_INIT;

/* Multiplies the 32x32 bit matrix `matrix` (one column a word) by the bit vector `vector`. */
static uint32_t matrix_times(const uint32_t *matrix, uint32_t vector) {
    uint32_t sum = 0;
    while (vector != 0) {
        if (vector & 1) {
            sum ^= *matrix;
        }
        vector >>= 1;
        matrix += 1;
    }
    return sum;
}

static void matrix_square(uint32_t *square, const uint32_t *matrix) {
    for (int column = 0; column < 32; column++) {
        square[column] = matrix_times(matrix, matrix[column]);
    }
}

/* Fills `table` with the map that appends `length` zero bytes, `length` a power of two. */
static void build_shift_table(uint32_t table[4][256], unsigned length) {
    uint32_t operator[32];
    uint32_t squared[32];
    operator[0] = 0x82F63B78u; /* one zero bit: the reflected Castagnoli polynomial */
    for (int column = 1; column < 32; column++) {
        operator[column] = 1u << (column - 1);
    }
    for (unsigned bits = 1; bits < length * 8; bits *= 2) {
        matrix_square(squared, operator);
        memcpy(operator, squared, sizeof operator);
    }
    for (int byte = 0; byte < 4; byte++) {
        for (uint32_t value = 0; value < 256; value++) {
            table[byte][value] = matrix_times(operator, value << (8 * byte));
        }
    }
}

static void build_shift_tables(void) {
    build_shift_table(shift_short, SHORT_BLOCK);
    build_shift_table(shift_long, LONG_BLOCK);
}

static uint32_t shift(uint32_t table[4][256], uint32_t crc) {
    return table[0][crc & 0xFF] ^ table[1][(crc >> 8) & 0xFF] ^ table[2][(crc >> 16) & 0xFF] ^ table[3][crc >> 24];
}

static inline uint64_t load_word(const unsigned char *bytes) {
    uint64_t word;
    memcpy(&word, bytes, sizeof word);
    return word;
}

/* Runs three streams over three adjacent blocks of `block` bytes and joins them. */
__attribute__((target("sse4.2")))
static uint64_t three_blocks(uint64_t crc, const unsigned char *bytes, size_t block, uint32_t table[4][256]) {
    uint64_t second = 0;
    uint64_t third = 0;
    const unsigned char *end = bytes + block;
    while (bytes < end) {
        crc = __builtin_ia32_crc32di(crc, load_word(bytes));
        second = __builtin_ia32_crc32di(second, load_word(bytes + block));
        third = __builtin_ia32_crc32di(third, load_word(bytes + 2 * block));
        bytes += 8;
    }
    crc = shift(table, (uint32_t)crc) ^ (uint32_t)second;
    return shift(table, (uint32_t)crc) ^ (uint32_t)third;
}

__attribute__((target("sse4.2")))
uint32_t clinux_crc32c_update(uint32_t crc, const void *bytes, size_t length) {
    const unsigned char *p = bytes;
    uint64_t c = crc;
    if (length >= 3 * SHORT_BLOCK) {
        pthread_once(&shift_tables_once, build_shift_tables);
        while (length >= 3 * LONG_BLOCK) {
            c = three_blocks(c, p, LONG_BLOCK, shift_long);
            p += 3 * LONG_BLOCK;
            length -= 3 * LONG_BLOCK;
        }
        while (length >= 3 * SHORT_BLOCK) {
            c = three_blocks(c, p, SHORT_BLOCK, shift_short);
            p += 3 * SHORT_BLOCK;
            length -= 3 * SHORT_BLOCK;
        }
    }
    while (length >= 8) {
        c = __builtin_ia32_crc32di(c, load_word(p));
        p += 8;
        length -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (length > 0) {
        c32 = __builtin_ia32_crc32qi(c32, *p);
        p += 1;
        length -= 1;
    }
    return c32;
}

#else

uint32_t clinux_crc32c_update(uint32_t crc, const void *bytes, size_t length) {
    (void)bytes;
    (void)length;
    return crc;
}

#endif
