#include "cli/cli_model.h"

#include <stdio.h>
#include <string.h>

#include "engine/checkpoint.h"
#include "world/tokenizer.h"

Gpt *cli_load_model(const char *cmd, const char *path) {
    char err[512];
    Gpt *m = ckpt_load(path, err, sizeof err);
    if (!m) {
        fprintf(stderr, "r1sim %s: %s\n", cmd, err);
        return NULL;
    }
    if (m->cfg.vocab_size != TOK_VOCAB_SIZE) {
        fprintf(stderr, "r1sim %s: %s: vocabulary of %d tokens, r1sim's tokenizer has %d\n", cmd,
                path, m->cfg.vocab_size, TOK_VOCAB_SIZE);
        gpt_free(m);
        return NULL;
    }
    return m;
}

int cli_encode_with_bos(const char *cmd, const char *where, const char *text, int *ids, int cap) {
    int lead = strncmp(text, "<bos>", 5) != 0;
    if (lead && cap > 0) ids[0] = TOK_BOS;
    size_t bad = 0;
    int n = tok_encode(text, ids + lead, cap - lead, &bad);
    if (n < 0) {
        fprintf(stderr, "r1sim %s: %s: column %zu: character 0x%02x is not in the vocabulary\n",
                cmd, where, bad + 1, (unsigned char)text[bad]);
        return -1;
    }
    return n + lead;
}
