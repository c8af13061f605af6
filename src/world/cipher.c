#include "world/cipher.h"

#include <string.h>

const char *cipher_script_name(WorldScript s) {
    return s == WORLD_CIPHER ? "cipher" : "digits";
}

int cipher_script_from_name(const char *name, WorldScript *out) {
    if (strcmp(name, "digits") == 0)
        *out = WORLD_DIGITS;
    else if (strcmp(name, "cipher") == 0)
        *out = WORLD_CIPHER;
    else
        return -1;
    return 0;
}

char cipher_digit_char(int d, WorldScript s) {
    return (char)(s == WORLD_CIPHER ? 'a' + d : '0' + d);
}

int cipher_char_digit(char c, WorldScript *script) {
    if (c >= '0' && c <= '9') {
        if (script) *script = WORLD_DIGITS;
        return c - '0';
    }
    if (c >= 'a' && c <= 'j') {
        if (script) *script = WORLD_CIPHER;
        return c - 'a';
    }
    return -1;
}

size_t cipher_translate(const char *text, WorldScript to, char *out, size_t cap) {
    size_t n = 0;
    for (; *text; text++, n++) {
        int d = cipher_char_digit(*text, NULL);
        char c = d >= 0 ? cipher_digit_char(d, to) : *text;
        if (n + 1 < cap) out[n] = c;
    }
    if (cap > 0) out[n < cap ? n : cap - 1] = '\0';
    return n;
}
