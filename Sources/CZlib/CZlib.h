#ifndef CZLIB_H
#define CZLIB_H

#include <zlib.h>

/// Prepares `stream` to inflate gzip data (RFC 1952) with zlib's largest window. `inflateInit2`
/// is a macro, which Swift cannot call; 16 added to the window bits selects the gzip wrapper.
static inline int czlib_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, MAX_WBITS + 16);
}

#endif
