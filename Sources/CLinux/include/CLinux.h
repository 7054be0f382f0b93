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

/// `flock(2)`; Swift cannot call it by name because `struct flock` hides the function.
int clinux_flock(int descriptor, int operation);

/// Names the calling thread with `pthread_setname_np` (a GNU extension); `name` has at most 15 bytes.
void clinux_set_thread_name(const char *name);

#endif
