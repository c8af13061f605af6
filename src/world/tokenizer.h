#ifndef R1SIM_WORLD_TOKENIZER_H
#define R1SIM_WORLD_TOKENIZER_H

#include <stddef.h>

/* The miniature world's character tokenizer. Its vocabulary is fixed in code
 * (TOK_VOCAB_SIZE ids) and recorded in every checkpoint. Special tokens have
 * text forms such as "<think>" so that prompts and completions stay readable. */

enum {
    TOK_PAD = 0,
    TOK_BOS,
    TOK_EOS,
    TOK_THINK,
    TOK_THINK_END,
    TOK_ANSWER,
    TOK_ANSWER_END,
    TOK_NUM_SPECIAL,
    TOK_VOCAB_SIZE = 64
};

/* Text form of a token id ("<think>", "7", " ", "\n"); NULL for ids out of range. */
const char *tok_text(int id);

/* Id of a single character; -1 when the vocabulary has no such character. */
int tok_char_id(unsigned char c);

/* Encodes text into ids. Returns the number of ids (which may exceed cap: only
 * cap are written), or -1 when text holds a character outside the vocabulary;
 * then *bad_offset (if not NULL) is the byte offset of that character. */
int tok_encode(const char *text, int *ids, int cap, size_t *bad_offset);

/* Decodes ids into out (always NUL-terminated when cap > 0). Returns the length
 * the full text needs, excluding the NUL, like snprintf. */
size_t tok_decode(const int *ids, int n, char *out, size_t cap);

#endif
