#include "world/task.h"

#include <stdio.h>
#include <string.h>

#include "world/wbuf.h"

static const char *const kind_names[TASK_NUM_KINDS] = {"add", "sub", "mul1x", "pair"};

/* A pair prompt's shape around its digits: "3859" PAIR_SEP "14?". */
#define PAIR_SEP " sum "

static uint64_t pow10u(int n) {
    uint64_t p = 1;
    while (n-- > 0) p *= 10;
    return p;
}

int task_spec_valid(TaskSpec spec) {
    if (spec.kind == TASK_PAIR) return spec.width >= TASK_PAIR_MIN && spec.width <= TASK_PAIR_MAX;
    return spec.kind >= TASK_ADD && spec.kind < TASK_NUM_KINDS && spec.width >= 1 &&
           spec.width <= TASK_MAX_WIDTH;
}

int task_pair_digit(const Problem *p, int i) {
    return (int)(p->a / pow10u(p->spec.width - 1 - i) % 10);
}

uint64_t task_pair_value(const Problem *p, int i, int j) {
    return (uint64_t)(10 * task_pair_digit(p, i) + task_pair_digit(p, j));
}

/* The one pair of positions i < j whose digits sum to the target: 1 and the
 * pair when there is exactly one, else 0. */
static int pair_solution(const Problem *p, int *si, int *sj) {
    int found = 0;
    for (int i = 0; i < p->spec.width; i++)
        for (int j = i + 1; j < p->spec.width; j++)
            if ((uint64_t)(task_pair_digit(p, i) + task_pair_digit(p, j)) == p->b) {
                *si = i;
                *sj = j;
                found++;
            }
    return found == 1;
}

int task_format_answer(const Problem *p, uint64_t value, char *out, size_t cap) {
    if (p->spec.kind == TASK_PAIR)
        return snprintf(out, cap, "%d+%d", (int)(value / 10 % 10), (int)(value % 10));
    return snprintf(out, cap, "%llu", (unsigned long long)value);
}

char task_op_char(TaskKind kind) {
    switch (kind) {
    case TASK_SUB:
        return '-';
    case TASK_MUL:
        return '*';
    default:
        return '+';
    }
}

int task_spec_parse(const char *name, TaskSpec *out) {
    for (int k = 0; k < TASK_NUM_KINDS; k++) {
        size_t n = strlen(kind_names[k]);
        if (strncmp(name, kind_names[k], n) != 0) continue;
        const char *w = name + n;
        /* One digit only: widths above 9 do not fit the world (or uint64). */
        if (w[0] < '1' || w[0] > '9' || w[1] != '\0') return -1;
        TaskSpec s = {(TaskKind)k, w[0] - '0'};
        if (!task_spec_valid(s)) return -1;
        *out = s;
        return 0;
    }
    return -1;
}

int task_spec_parse_list(const char *list, TaskSpec *out, int max) {
    int n = 0;
    while (*list) {
        size_t len = strcspn(list, ",");
        char name[32];
        if (len >= sizeof name || n >= max) return -1;
        memcpy(name, list, len);
        name[len] = 0;
        list += len + (list[len] == ',');
        if (task_spec_parse(name, &out[n++])) return -1;
    }
    return n ? n : -1;
}

int task_spec_name(TaskSpec spec, char *out, size_t cap) {
    const char *k = task_spec_valid(spec) ? kind_names[spec.kind] : "invalid";
    return snprintf(out, cap, "%s%d", k, spec.width);
}

static int pair_make(TaskSpec spec, uint64_t digits, uint64_t target, WorldScript script,
                     Problem *out) {
    if (digits >= pow10u(spec.width) || target > 18) return -1;
    memset(out, 0, sizeof *out);
    out->spec = spec;
    out->a = digits;
    out->b = target;
    out->script = script;
    int i, j;
    if (!pair_solution(out, &i, &j)) return -1;
    out->result = task_pair_value(out, i, j);
    WBuf w;
    wbuf_init(&w, out->prompt, sizeof out->prompt);
    wbuf_num(&w, digits, spec.width, script);
    wbuf_puts(&w, PAIR_SEP);
    wbuf_num(&w, target, 2, script);
    wbuf_putc(&w, '?');
    task_format_answer(out, out->result, out->answer, sizeof out->answer);
    return 0;
}

int task_make(TaskSpec spec, uint64_t a, uint64_t b, WorldScript script, Problem *out) {
    if (!task_spec_valid(spec)) return -1;
    if (spec.kind == TASK_PAIR) return pair_make(spec, a, b, script, out);
    uint64_t lim = pow10u(spec.width);
    uint64_t lim_a = spec.kind == TASK_MUL ? 10 : lim;
    if (a >= lim_a || b >= lim) return -1;
    if (spec.kind == TASK_SUB && a < b) return -1;

    memset(out, 0, sizeof *out);
    out->spec = spec;
    out->a = a;
    out->b = b;
    out->script = script;
    out->result = spec.kind == TASK_ADD ? a + b : spec.kind == TASK_SUB ? a - b : a * b;

    WBuf w;
    wbuf_init(&w, out->prompt, sizeof out->prompt);
    wbuf_num(&w, a, spec.kind == TASK_MUL ? 1 : spec.width, script);
    wbuf_putc(&w, task_op_char(spec.kind));
    wbuf_num(&w, b, spec.width, script);
    wbuf_putc(&w, '?');
    wbuf_init(&w, out->answer, sizeof out->answer);
    wbuf_num(&w, out->result, 1, WORLD_DIGITS);
    return 0;
}

/* Uniform digits and a uniform pair of positions whose sum is the target,
 * drawn again until no other pair reaches it (about 0.6 of the draws succeed for
 * pair4). */
static int pair_generate(TaskSpec spec, WorldScript script, WorldRng *rng, Problem *out) {
    for (;;) {
        uint64_t digits = world_rng_below(rng, pow10u(spec.width));
        int i = (int)world_rng_below(rng, (uint64_t)spec.width);
        int j = (int)world_rng_below(rng, (uint64_t)spec.width - 1);
        if (j >= i) j++;
        int di = (int)(digits / pow10u(spec.width - 1 - i) % 10);
        int dj = (int)(digits / pow10u(spec.width - 1 - j) % 10);
        if (pair_make(spec, digits, (uint64_t)(di + dj), script, out) == 0) return 0;
    }
}

int task_generate(TaskSpec spec, WorldScript script, WorldRng *rng, Problem *out) {
    if (!task_spec_valid(spec)) return -1;
    if (spec.kind == TASK_PAIR) return pair_generate(spec, script, rng, out);
    uint64_t lim = pow10u(spec.width);
    uint64_t a = world_rng_below(rng, spec.kind == TASK_MUL ? 10 : lim);
    uint64_t b = world_rng_below(rng, lim);
    if (spec.kind == TASK_SUB && a < b) {
        uint64_t t = a;
        a = b;
        b = t;
    }
    return task_make(spec, a, b, script, out);
}

/* Reads a run of number characters in one script; returns its length (0 when
 * none), the value, and the script; -1 when the run mixes scripts. */
static int read_number(const char *s, uint64_t *value, WorldScript *script) {
    int n = 0;
    uint64_t v = 0;
    WorldScript first = WORLD_DIGITS, sc;
    int d;
    while ((d = cipher_char_digit(s[n], &sc)) >= 0) {
        if (n == 0)
            first = sc;
        else if (sc != first)
            return -1;
        if (n >= TASK_MAX_WIDTH) return -1;
        v = v * 10 + (uint64_t)d;
        n++;
    }
    *value = v;
    *script = first;
    return n;
}

int task_parse_prompt(const char *prompt, Problem *out) {
    uint64_t a, b;
    WorldScript sa, sb;
    int na = read_number(prompt, &a, &sa);
    if (na <= 0) return -1;
    if (strncmp(prompt + na, PAIR_SEP, strlen(PAIR_SEP)) == 0) {
        const char *t = prompt + na + strlen(PAIR_SEP);
        int nt = read_number(t, &b, &sb);
        if (nt != 2 || sa != sb || t[nt] != '?' || t[nt + 1] != '\0') return -1;
        TaskSpec spec = {TASK_PAIR, na};
        return task_make(spec, a, b, sa, out);
    }
    char op = prompt[na];
    TaskKind kind = op == '+'   ? TASK_ADD
                    : op == '-' ? TASK_SUB
                    : op == '*' ? TASK_MUL
                                : TASK_NUM_KINDS;
    if (kind == TASK_NUM_KINDS) return -1;
    const char *rest = prompt + na + 1;
    int nb = read_number(rest, &b, &sb);
    if (nb <= 0 || sa != sb) return -1;
    if (rest[nb] != '?' || rest[nb + 1] != '\0') return -1;
    if (kind == TASK_MUL ? na != 1 : na != nb) return -1;
    TaskSpec spec = {kind, nb};
    return task_make(spec, a, b, sa, out);
}

int task_verify_span(const Problem *p, const char *answer, size_t len) {
    if (!answer) return 0;
    size_t n = strlen(p->answer);
    return len == n && memcmp(answer, p->answer, n) == 0;
}

int task_verify(const Problem *p, const char *answer) {
    return answer != NULL && task_verify_span(p, answer, strlen(answer));
}
