/* The tokenizer and the completion parser read what a model wrote, which can
 * be anything. Checked here: encoding never writes past cap and decodes back
 * to the same text; decoding any ids (out of range too) into any buffer stays
 * inside it; the parser's thought and answer lie inside the completion; the
 * counters accept any text and any n. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "world/completion.h"
#include "world/tokenizer.h"

static int inside(const char *base, size_t len, const char *p, size_t n) {
    return p >= base && p <= base + len && n <= (size_t)(base + len - p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    /* The first two bytes steer the sizes, the rest is the text. */
    int cap = data[0] % 17;
    int n_gram = data[1] % 6;
    const char *raw = (const char *)data + 2;
    size_t len = size - 2;
    char *text = malloc(len + 1);
    int *ids = malloc((len + 1) * sizeof *ids);
    memcpy(text, raw, len);
    text[len] = 0;
    size_t tlen = strlen(text);

    /* A short array first: only cap ids may be written. */
    int small[16];
    size_t bad = 0;
    int n = tok_encode(text, small, cap, &bad);
    int full = tok_encode(text, ids, (int)tlen + 1, &bad);
    if (n != full) __builtin_trap();
    if (full < 0) {
        if (bad >= tlen || tok_char_id((unsigned char)text[bad]) >= 0) __builtin_trap();
    } else {
        size_t need = tok_decode(ids, full, NULL, 0);
        char *back = malloc(need + 1);
        if (tok_decode(ids, full, back, need + 1) != need || strcmp(back, text) != 0)
            __builtin_trap();
        free(back);
    }

    /* Raw bytes as ids, decoded into a buffer of cap bytes. */
    int nid = (int)(len / sizeof(int));
    memcpy(ids, raw, (size_t)nid * sizeof(int));
    char out[17];
    size_t need = tok_decode(ids, nid, out, (size_t)cap);
    if (cap > 0 && strlen(out) > need) __builtin_trap();

    CompletionParts p;
    int wf = completion_parse(text, &p);
    if (wf != p.well_formed || !p.thought || !inside(text, tlen, p.thought, p.thought_len))
        __builtin_trap();
    if (p.answer && !inside(text, tlen, p.answer, p.answer_len)) __builtin_trap();
    (void)completion_thought_is_empty(&p);
    int counted = 0;
    double share =
        completion_script_share(text, tlen, (data[1] & 8) ? WORLD_CIPHER : WORLD_DIGITS, &counted);
    if (!(share >= 0.0 && share <= 1.0) || counted < 0) __builtin_trap();
    (void)completion_count_word(text, tlen, "wait");
    (void)completion_repeated_ngram_run(text, tlen, n_gram, cap);
    (void)completion_repeated_trigram_run(text, tlen, cap);

    free(ids);
    free(text);
    return 0;
}
