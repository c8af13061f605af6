#include "world/cot_check.h"

#include <stdio.h>
#include <string.h>

/* "3+8=11" in the script: the sum always two digits, as the pad writes it. */
static void try_text(const Problem *p, int i, int j, WorldScript s, char out[8]) {
    int x = task_pair_digit(p, i), y = task_pair_digit(p, j), sum = x + y;
    out[0] = cipher_digit_char(x, s);
    out[1] = '+';
    out[2] = cipher_digit_char(y, s);
    out[3] = '=';
    out[4] = cipher_digit_char(sum / 10, s);
    out[5] = cipher_digit_char(sum % 10, s);
    out[6] = 0;
}

/* Does the thought continue with `want` at *at? Advances past it if so. */
static int expect(const char *thought, size_t len, size_t *at, const char *want) {
    size_t n = strlen(want);
    if (len - *at < n || memcmp(thought + *at, want, n) != 0) return 0;
    *at += n;
    return 1;
}

int cot_check_pair_search(const Problem *p, WorldScript script, const char *thought, size_t len,
                          char *why, size_t cap) {
    if (p->spec.kind != TASK_PAIR) {
        snprintf(why, cap, "'%s' is not a pair problem", p->prompt);
        return -1;
    }
    size_t at = 0;
    int tries = 0;
    for (int i = 0; i < p->spec.width; i++)
        for (int j = i + 1; j < p->spec.width; j++) {
            char t[8];
            try_text(p, i, j, script, t);
            tries++;
            if (at == len) {
                snprintf(why, cap, "the search stops after %d tries, before the pair (a give-up)",
                         tries - 1);
                return -1;
            }
            if (!expect(thought, len, &at, t)) {
                snprintf(why, cap,
                         "try %d should be '%s' (pairs in reading order, sums right, %s), "
                         "got '%.*s'",
                         tries, t, cipher_script_name(script), (int)(len - at < 16 ? len - at : 16),
                         thought + at);
                return -1;
            }
            if ((uint64_t)(task_pair_digit(p, i) + task_pair_digit(p, j)) != p->b) {
                if (!expect(thought, len, &at, " wait. ")) {
                    snprintf(why, cap, "the miss '%s' should be followed by ' wait. '", t);
                    return -1;
                }
                continue;
            }
            char so[16];
            snprintf(so, sizeof so, ". so %c+%c", t[0], t[2]);
            if (!expect(thought, len, &at, so) || at != len) {
                snprintf(why, cap, "the hit '%s' should end the thought with '%s'", t, so);
                return -1;
            }
            return 0;
        }
    snprintf(why, cap, "'%s' has no pair that reaches its target", p->prompt);
    return -1;
}
