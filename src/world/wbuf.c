#include "world/wbuf.h"

#include <string.h>

void wbuf_init(WBuf *b, char *buf, size_t cap) {
    b->buf = buf;
    b->cap = cap;
    b->len = 0;
    if (cap > 0) buf[0] = '\0';
}

void wbuf_putc(WBuf *b, char c) {
    if (b->len + 1 < b->cap) {
        b->buf[b->len] = c;
        b->buf[b->len + 1] = '\0';
    }
    b->len++;
}

void wbuf_putn(WBuf *b, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) wbuf_putc(b, s[i]);
}

void wbuf_puts(WBuf *b, const char *s) {
    wbuf_putn(b, s, strlen(s));
}

void wbuf_num(WBuf *b, uint64_t v, int width, WorldScript script) {
    char tmp[32];
    int n = 0;
    do {
        tmp[n++] = cipher_digit_char((int)(v % 10), script);
        v /= 10;
    } while (v > 0);
    while (n < width && n < (int)sizeof tmp) tmp[n++] = cipher_digit_char(0, script);
    while (n > 0) wbuf_putc(b, tmp[--n]);
}

int wbuf_ok(const WBuf *b) {
    return b->cap > 0 && b->len < b->cap;
}

int wbuf_result(const WBuf *b) {
    return wbuf_ok(b) ? (int)b->len : -1;
}
