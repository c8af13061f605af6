#ifndef R1SIM_WORLD_WBUF_H
#define R1SIM_WORLD_WBUF_H

#include <stddef.h>
#include <stdint.h>

#include "world/cipher.h"

/* A bounded text builder for the world's generators. Every generator writes
 * into caller-owned fixed buffers; the builder records overflow once instead of
 * making each call site check, and the generator reports it at the end. */

typedef struct {
    char *buf;
    size_t cap; /* bytes available, including the NUL */
    size_t len; /* length written so far (may exceed cap - 1 on overflow) */
} WBuf;

void wbuf_init(WBuf *b, char *buf, size_t cap);
void wbuf_putc(WBuf *b, char c);
void wbuf_puts(WBuf *b, const char *s);
void wbuf_putn(WBuf *b, const char *s, size_t n);
/* A number in decimal, in the given script, zero-padded to at least width. */
void wbuf_num(WBuf *b, uint64_t v, int width, WorldScript script);
/* 1 when everything fitted. */
int wbuf_ok(const WBuf *b);
/* The length written, or -1 on overflow: what generators return. */
int wbuf_result(const WBuf *b);

#endif
