#include "world/tokenizer.h"

#include <string.h>

static const char *const special_text[TOK_NUM_SPECIAL] = {
    "<pad>", "<bos>", "<eos>", "<think>", "</think>", "<answer>", "</answer>",
};

/* Ordinary characters, in id order after the special tokens: digits, a-z, the
 * arithmetic and prose symbols the tasks use, then a few spare symbols so the
 * vocabulary is exactly TOK_VOCAB_SIZE. */
static const char plain_chars[] = "0123456789"
                                  "abcdefghijklmnopqrstuvwxyz"
                                  "+-*=.,:? \n"
                                  "()!'/;\"%#_|";

_Static_assert(TOK_NUM_SPECIAL + sizeof plain_chars - 1 == TOK_VOCAB_SIZE,
               "the vocabulary must have exactly TOK_VOCAB_SIZE tokens");

/* The same characters, each as its own string, for tok_text. */
static const char *const plain_text[] = {
    "0",  "1", "2", "3", "4", "5", "6", "7",  "8", "9", "a", "b", "c", "d", "e",
    "f",  "g", "h", "i", "j", "k", "l", "m",  "n", "o", "p", "q", "r", "s", "t",
    "u",  "v", "w", "x", "y", "z", "+", "-",  "*", "=", ".", ",", ":", "?", " ",
    "\n", "(", ")", "!", "'", "/", ";", "\"", "%", "#", "_", "|"};

const char *tok_text(int id) {
    if (id < 0 || id >= TOK_VOCAB_SIZE) return NULL;
    if (id < TOK_NUM_SPECIAL) return special_text[id];
    return plain_text[id - TOK_NUM_SPECIAL];
}

int tok_char_id(unsigned char c) {
    if (c == '\0') return -1;
    const char *p = strchr(plain_chars, c);
    return p ? TOK_NUM_SPECIAL + (int)(p - plain_chars) : -1;
}

int tok_encode(const char *text, int *ids, int cap, size_t *bad_offset) {
    int n = 0;
    for (size_t i = 0; text[i];) {
        int id = -1;
        size_t len = 1;
        if (text[i] == '<') {
            for (int s = 0; s < TOK_NUM_SPECIAL; s++) {
                size_t sl = strlen(special_text[s]);
                if (strncmp(text + i, special_text[s], sl) == 0) {
                    id = s;
                    len = sl;
                    break;
                }
            }
        }
        if (id < 0) id = tok_char_id((unsigned char)text[i]);
        if (id < 0) {
            if (bad_offset) *bad_offset = i;
            return -1;
        }
        if (n < cap) ids[n] = id;
        n++;
        i += len;
    }
    return n;
}

size_t tok_decode(const int *ids, int n, char *out, size_t cap) {
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        const char *t = tok_text(ids[i]);
        if (!t) t = "?";
        for (; *t; t++, len++)
            if (len + 1 < cap) out[len] = *t;
    }
    if (cap > 0) out[len < cap ? len : cap - 1] = '\0';
    return len;
}
