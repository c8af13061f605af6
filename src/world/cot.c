#include "world/cot.h"

#include <string.h>

#include "world/wbuf.h"

static const char *const style_names[COT_NUM_STYLES] = {"terse", "full", "checked", "guess",
                                                        "guess_check"};

const char *cot_style_name(CotStyle s) {
    return s >= 0 && s < COT_NUM_STYLES ? style_names[s] : "invalid";
}

int cot_style_from_name(const char *name, CotStyle *out) {
    for (int s = 0; s < COT_NUM_STYLES; s++)
        if (strcmp(name, style_names[s]) == 0) {
            *out = (CotStyle)s;
            return 0;
        }
    return -1;
}

CotOptions cot_options(CotStyle style, WorldScript script) {
    CotOptions o = {style, script, 0.0, 0, 0.0, 0.0};
    return o;
}

/* One column: add x+y+c=r; sub (10·borrow+x)-y-c=r; mul x*y+c=r with x the
 * one-digit factor. c is the carry or borrow coming in. */
typedef struct {
    int x, y, c, borrow, r;
} Step;

typedef struct {
    const Problem *p;
    const CotOptions *o;
    WorldRng *rng;
    WBuf w;
    CotResult res;
} Ctx;

static uint64_t pow10u(int n) {
    uint64_t v = 1;
    while (n-- > 0) v *= 10;
    return v;
}

static int digit_at(uint64_t v, int i) {
    return (int)(v / pow10u(i) % 10);
}

static Step column(const Problem *p, int i, int carry) {
    Step s = {0, digit_at(p->b, i), carry, 0, 0};
    switch (p->spec.kind) {
    case TASK_SUB:
        s.x = digit_at(p->a, i);
        s.r = s.x - s.y - carry;
        if (s.r < 0) {
            s.borrow = 1;
            s.r += 10;
        }
        break;
    case TASK_MUL:
        s.x = (int)p->a;
        s.r = s.x * s.y + carry;
        break;
    default:
        s.x = digit_at(p->a, i);
        s.r = s.x + s.y + carry;
        break;
    }
    return s;
}

static int carry_out(const Problem *p, const Step *s) {
    return p->spec.kind == TASK_SUB ? s->borrow : s->r / 10;
}

static int digit_out(const Problem *p, const Step *s) {
    return p->spec.kind == TASK_SUB ? s->r : s->r % 10;
}

/* Off by one, kept within what the column could show, so a slip looks like an
 * honest mistake rather than noise. Sub slips change only the written digit. */
static void slip(Ctx *x, Step *s) {
    int hi = x->p->spec.kind == TASK_SUB ? 9 : x->p->spec.kind == TASK_MUL ? 89 : 19;
    int up = (int)world_rng_below(x->rng, 2);
    if (s->r == 0) up = 1;
    if (s->r == hi) up = 0;
    s->r += up ? 1 : -1;
}

static WorldScript pick_script(Ctx *x) {
    WorldScript s = x->o->script;
    if (world_rng_chance(x->rng, x->o->switch_prob))
        s = s == WORLD_DIGITS ? WORLD_CIPHER : WORLD_DIGITS;
    return s;
}

/* Every step has the same width: the carry (or borrow) is written even when it
 * is 0, the result always has two digits and a subtraction's minuend too
 * ("7+9+0=16. 4+8+1=13. 3+5+1=09."). Then every step, every pass and every
 * "so" sits at the same position for every problem of a width, which is what a
 * model with learned absolute positions needs to find them again: with
 * variable steps its checks landed at shifting positions and were right less
 * often than plain pads (0.27 against 0.44 on the base, k = 4). */
static void put_step(Ctx *x, const Step *s, int swapped) {
    WorldScript sc = pick_script(x);
    WBuf *w = &x->w;
    if (x->p->spec.kind == TASK_SUB) {
        wbuf_num(w, (uint64_t)(s->borrow * 10 + s->x), 2, sc);
        wbuf_putc(w, '-');
        wbuf_num(w, (uint64_t)s->y, 1, sc);
        wbuf_putc(w, '-');
    } else {
        wbuf_num(w, (uint64_t)(swapped ? s->y : s->x), 1, sc);
        wbuf_putc(w, task_op_char(x->p->spec.kind));
        wbuf_num(w, (uint64_t)(swapped ? s->x : s->y), 1, sc);
        wbuf_putc(w, '+');
    }
    wbuf_num(w, (uint64_t)s->c, 1, sc);
    wbuf_putc(w, '=');
    wbuf_num(w, (uint64_t)s->r, 2, sc);
    wbuf_puts(w, ". ");
    x->res.steps++;
}

/* One pass over the columns, writing the first n_write of them; returns the
 * value the pass arrives at. Unwritten columns (a terse pad) are done right. */
static uint64_t put_pass(Ctx *x, int n_write, int swapped, int may_slip) {
    const Problem *p = x->p;
    int width = p->spec.width, carry = 0;
    uint64_t value = 0;
    for (int i = 0; i < width; i++) {
        Step s = column(p, i, carry);
        if (i < n_write) {
            Step shown = s;
            int slipped = may_slip && world_rng_chance(x->rng, x->o->slip_prob);
            if (slipped) {
                slip(x, &shown);
                x->res.slips++;
            }
            put_step(x, &shown, swapped);
            if (slipped && x->o->fix_slips) {
                wbuf_puts(&x->w, "wait, ");
                x->res.waits++;
                put_step(x, &s, swapped);
            } else {
                s = shown;
            }
        }
        carry = carry_out(p, &s);
        value += (uint64_t)digit_out(p, &s) * pow10u(i);
    }
    if (p->spec.kind != TASK_SUB) value += (uint64_t)carry * pow10u(width);
    return value;
}

static void put_so(Ctx *x, uint64_t v) {
    WorldScript sc = pick_script(x);
    wbuf_puts(&x->w, "so ");
    wbuf_num(&x->w, v, 1, sc);
}

/* After a check: flag a disagreement, then conclude with the checked value.
 * The flag is short on purpose: "wait, 817 not 816. so 817" made a checked
 * add3 pad that caught a slip up to 113 tokens, past the 96 new tokens GRPO
 * and eval allow and past the context in pretraining, so the one route where
 * reflection fixes an answer was the route most often cut off (measured on the
 * base: 67 % of its check-and-wait completions were truncated, none right). */
static void put_verdict(Ctx *x, uint64_t first, uint64_t checked) {
    if (first != checked) {
        wbuf_puts(&x->w, "wait, ");
        x->res.waits++;
    }
    put_so(x, checked);
}

/* The right result, or with probability guess_wrong_prob the result with one
 * digit changed (never to a leading zero). */
static uint64_t guess(Ctx *x) {
    uint64_t t = x->p->result;
    if (!world_rng_chance(x->rng, x->o->guess_wrong_prob)) return t;
    int nd = 1;
    while (nd < 19 && t >= pow10u(nd)) nd++;
    int pos = (int)world_rng_below(x->rng, (uint64_t)nd);
    int d = digit_at(t, pos);
    int lo = (pos == nd - 1 && nd > 1) ? 1 : 0;
    int choices[10], n = 0;
    for (int c = lo; c <= 9; c++)
        if (c != d) choices[n++] = c;
    int nd2 = choices[world_rng_below(x->rng, (uint64_t)n)];
    return t - (uint64_t)d * pow10u(pos) + (uint64_t)nd2 * pow10u(pos);
}

static void put_guess(Ctx *x, uint64_t g) {
    WorldScript sc = pick_script(x);
    wbuf_puts(&x->w, "guess ");
    wbuf_num(&x->w, g, 1, sc);
}

/* A pair of positions of a pair problem, i < j. */
typedef struct {
    int i, j;
} Pick;

static uint64_t pick_value(const Problem *p, Pick k) {
    return task_pair_value(p, k.i, k.j);
}

/* Every pair in reading order: (0,1) (0,2) ... (1,2) ...; returns the count. */
static int all_picks(const Problem *p, Pick *out) {
    int n = 0;
    for (int i = 0; i < p->spec.width; i++)
        for (int j = i + 1; j < p->spec.width; j++) out[n++] = (Pick){i, j};
    return n;
}

static void put_pick(Ctx *x, Pick k, WorldScript sc) {
    wbuf_num(&x->w, (uint64_t)task_pair_digit(x->p, k.i), 1, sc);
    wbuf_putc(&x->w, '+');
    wbuf_num(&x->w, (uint64_t)task_pair_digit(x->p, k.j), 1, sc);
}

static void put_sum(Ctx *x, Pick k, int sum, WorldScript sc) {
    put_pick(x, k, sc);
    wbuf_putc(&x->w, '=');
    wbuf_num(&x->w, (uint64_t)sum, 2, sc);
}

/* One try "3+8=11": returns the sum as written, which a slip puts off by one. */
static int put_try(Ctx *x, Pick k, int may_slip) {
    WorldScript sc = pick_script(x);
    Step s = {task_pair_digit(x->p, k.i), task_pair_digit(x->p, k.j), 0, 0, 0};
    s.r = s.x + s.y;
    Step shown = s;
    int slipped = may_slip && world_rng_chance(x->rng, x->o->slip_prob);
    if (slipped) {
        slip(x, &shown);
        x->res.slips++;
    }
    put_sum(x, k, shown.r, sc);
    x->res.steps++;
    if (slipped && x->o->fix_slips) {
        wbuf_puts(&x->w, " wait, ");
        x->res.waits++;
        put_sum(x, k, s.r, sc);
        return s.r;
    }
    return shown.r;
}

/* A guessed pair: the answer, or with guess_wrong_prob a random other pair. */
static Pick guess_pick(Ctx *x, const Pick *picks, int n) {
    int right = 0;
    for (int t = 0; t < n; t++)
        if (pick_value(x->p, picks[t]) == x->p->result) right = t;
    if (!world_rng_chance(x->rng, x->o->guess_wrong_prob)) return picks[right];
    int t = (int)world_rng_below(x->rng, (uint64_t)n - 1);
    return picks[t >= right ? t + 1 : t];
}

/* The search: tries pairs in reading order (after a guessed first one, when
 * given) until one reaches the target, each miss flagged with "wait."; after
 * max_tries misses it stops and names an untried pair at random. A search
 * that goes on until it finds the pair is always right; one that stops early
 * is right only by luck, so under an accuracy reward every further try pays a
 * little more, which is what lets length and "wait" grow by degrees. */
static uint64_t put_search(Ctx *x, int max_tries, const Pick *first) {
    Pick picks[TASK_PAIR_MAX * TASK_PAIR_MAX], order[TASK_PAIR_MAX * TASK_PAIR_MAX];
    int n = all_picks(x->p, picks), m = 0;
    if (first) order[m++] = *first;
    for (int t = 0; t < n; t++)
        if (!first || picks[t].i != first->i || picks[t].j != first->j) order[m++] = picks[t];
    int tried = 0;
    for (; tried < m && tried < max_tries; tried++) {
        if ((uint64_t)put_try(x, order[tried], 1) == x->p->b) {
            wbuf_puts(&x->w, ". ");
            return pick_value(x->p, order[tried]);
        }
        wbuf_puts(&x->w, " wait. ");
        x->res.waits++;
    }
    if (tried == m) tried = 0; /* nothing matched (a slip hid it): any pair */
    int t = tried + (int)world_rng_below(x->rng, (uint64_t)(m - tried));
    return pick_value(x->p, order[t]);
}

static void put_so_pick(Ctx *x, uint64_t v) {
    WorldScript sc = pick_script(x);
    wbuf_puts(&x->w, "so ");
    wbuf_num(&x->w, v / 10, 1, sc);
    wbuf_putc(&x->w, '+');
    wbuf_num(&x->w, v % 10, 1, sc);
}

/* The pair task's styles: terse stops after 1..n-1 misses, full and checked
 * search to the end, guess names a pair unworked, guess_check tries the
 * guessed pair first and then searches. */
static uint64_t write_pair(Ctx *x) {
    Pick picks[TASK_PAIR_MAX * TASK_PAIR_MAX];
    int n = all_picks(x->p, picks);
    uint64_t v;
    Pick g;
    switch (x->o->style) {
    case COT_TERSE:
        v = put_search(x, 1 + (int)world_rng_below(x->rng, (uint64_t)(n - 1)), NULL);
        break;
    case COT_GUESS:
        g = guess_pick(x, picks, n);
        wbuf_puts(&x->w, "guess ");
        v = pick_value(x->p, g);
        put_pick(x, g, pick_script(x));
        return v;
    case COT_GUESS_CHECK:
        g = guess_pick(x, picks, n);
        v = put_search(x, n, &g);
        break;
    default:
        v = put_search(x, n, NULL);
        break;
    }
    put_so_pick(x, v);
    return v;
}

int cot_write(const Problem *p, const CotOptions *o, WorldRng *rng, char *out, size_t cap,
              CotResult *res) {
    Ctx x = {p, o, rng, {0}, {0}};
    wbuf_init(&x.w, out, cap);
    if (p->spec.kind == TASK_PAIR) {
        x.res.value = write_pair(&x);
        x.res.correct = x.res.value == p->result;
        if (res) *res = x.res;
        return wbuf_result(&x.w);
    }
    int width = p->spec.width;
    uint64_t v = 0, checked;
    switch (o->style) {
    case COT_TERSE: {
        int n = width > 1 ? 1 + (int)world_rng_below(rng, (uint64_t)(width - 1)) : 1;
        v = put_pass(&x, n, 0, 1);
        put_so(&x, v);
        break;
    }
    case COT_CHECKED:
        v = put_pass(&x, width, 0, 1);
        put_so(&x, v);
        wbuf_puts(&x.w, ". check ");
        /* The check redoes the columns in the first pass's operand order:
         * with the operands swapped, this base read the wrong digits in its
         * checks (checked pads right 32 % of the time against 37 % for plain
         * ones); in the same order checks pay (57 % against 45 %). */
        checked = put_pass(&x, width, 0, 0);
        put_verdict(&x, v, checked);
        v = checked;
        break;
    case COT_GUESS:
        v = guess(&x);
        put_guess(&x, v);
        break;
    case COT_GUESS_CHECK:
        v = guess(&x);
        put_guess(&x, v);
        wbuf_puts(&x.w, ". check ");
        checked = put_pass(&x, width, 0, 0);
        put_verdict(&x, v, checked);
        v = checked;
        break;
    default:
        v = put_pass(&x, width, 0, 1);
        put_so(&x, v);
        break;
    }
    x.res.value = v;
    x.res.correct = v == p->result;
    if (res) *res = x.res;
    return wbuf_result(&x.w);
}

int cot_prefill(const Problem *p, WorldScript script, char *out, size_t cap) {
    CotOptions o = cot_options(COT_FULL, script);
    WorldRng unused;
    world_rng_seed(&unused, 0);
    Ctx x = {p, &o, &unused, {0}, {0}};
    wbuf_init(&x.w, out, cap);
    if (p->spec.kind == TASK_PAIR) {
        put_try(&x, (Pick){0, 1}, 0);
        return wbuf_result(&x.w);
    }
    Step s = column(p, 0, 0);
    put_step(&x, &s, 0);
    return wbuf_result(&x.w);
}

int cot_final_value(const char *thought, size_t len, uint64_t *value) {
    for (size_t i = len; i-- > 0;) {
        if (i + 3 > len || memcmp(thought + i, "so ", 3) != 0) continue;
        if (i > 0 && thought[i - 1] >= 'a' && thought[i - 1] <= 'z') continue;
        uint64_t v = 0;
        size_t j = i + 3, n = 0;
        int d;
        while (j < len && n < 19 && (d = cipher_char_digit(thought[j], NULL)) >= 0) {
            v = v * 10 + (uint64_t)d;
            j++;
            n++;
        }
        if (n == 0) continue;
        *value = v;
        return 0;
    }
    return -1;
}
