#include "world/corpus.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world/cot.h"
#include "world/evalset.h"
#include "world/general.h"
#include "world/template.h"
#include "world/wbuf.h"

static const char *const kind_names[DOC_NUM_KINDS] = {
    "chat_direct", "chat_terse", "chat_pad", "chat_checked",    "chat_guess",   "chat_guess_check",
    "chat_slip",   "chat_mixed", "plain",    "untagged_direct", "untagged_pad", "general",
};

const char *corpus_kind_name(DocKind k) {
    return k >= 0 && k < DOC_NUM_KINDS ? kind_names[k] : "invalid";
}

int corpus_kind_from_name(const char *name, DocKind *out) {
    for (int k = 0; k < DOC_NUM_KINDS; k++)
        if (strcmp(name, kind_names[k]) == 0) {
            *out = (DocKind)k;
            return 0;
        }
    return -1;
}

int corpus_config_preset(const char *name, CorpusConfig *out) {
    CorpusConfig c;
    memset(&c, 0, sizeof c);
    c.tasks[0] = (TaskSpec){TASK_ADD, 3};
    c.n_tasks = 1;
    c.cipher_prob = 0.25;
    c.general_tagged_prob = 0.5;
    c.mix_prob = 0.3;
    if (strcmp(name, "prototype") == 0) {
        /* Tagged 57: direct 58 %, pads 22 %, four kinds share the other 20 %. */
        c.weight[DOC_CHAT_DIRECT] = 57 * 0.58;
        c.weight[DOC_CHAT_PAD] = 57 * 0.22;
        c.weight[DOC_CHAT_GUESS] = 57 * 0.05;
        c.weight[DOC_CHAT_CHECKED] = 57 * 0.05;
        c.weight[DOC_CHAT_SLIP] = 57 * 0.05;
        c.weight[DOC_CHAT_MIXED] = 57 * 0.05;
        c.weight[DOC_PLAIN] = 12;
        c.weight[DOC_UNTAGGED_DIRECT] = 8;
        c.weight[DOC_UNTAGGED_PAD] = 18;
        c.weight[DOC_GENERAL] = 5;
        c.malformed_prob = 0.45;
        c.slip_prob = 0.3;
        c.check_slip_prob = 0.15;
        c.guess_wrong_prob = 0.5;
    } else if (strcmp(name, "graded") == 0) {
        c.weight[DOC_CHAT_DIRECT] = 6;
        c.weight[DOC_CHAT_TERSE] = 12;
        c.weight[DOC_CHAT_PAD] = 20;
        c.weight[DOC_CHAT_CHECKED] = 14;
        c.weight[DOC_CHAT_GUESS_CHECK] = 4;
        c.weight[DOC_CHAT_SLIP] = 6;
        c.weight[DOC_CHAT_MIXED] = 6;
        c.weight[DOC_UNTAGGED_DIRECT] = 4;
        c.weight[DOC_UNTAGGED_PAD] = 20;
        c.weight[DOC_GENERAL] = 8;
        c.malformed_prob = 0.3;
        c.slip_prob = 0.3;
        /* 1 - 0.85^3: the first pass of an add3 check is wrong ~39 % of the time. */
        c.check_slip_prob = 0.15;
        c.guess_wrong_prob = 0.5;
    } else if (strcmp(name, "ready") == 0) {
        /* "graded" reshaped so that the base is ready for R1-Zero (measured on
         * add3, d128 L4, 3200 steps of 16 at lr 3e-3): it thinks in the template
         * about a quarter to a third of the time because most tagged chat
         * answers without a pad (mostly bare, sometimes a guess that is wrong
         * 60 % of the time), while untagged pads keep the pad well practised.
         * Direct answers must stay capacity-limited, and with right labels they
         * did not: the base learned to add directly (direct answers right
         * 0.22-0.64 of the time) in 4 of 5 runs, once with this mix unchanged
         * but its batching moved, and in three nearby mixes; RL then shortened
         * answers (19 -> 8 tokens). Three quarters of the direct answers are
         * therefore random numbers (direct_wrong_prob), as on a web where
         * unworked answers are often wrong: direct accuracy 0.00 on every base
         * measured since (seeds 1 and 2), thoughts right 0.30-0.50 of the time.
         * Bare direct answers outweigh guesses 3:1 because a guess ("guess 936") is
         * itself a short thought. Checked pads outnumber plain tagged ones
         * (12:5) so that R1-Zero starts with self-checks to grow: with 7:10,
         * checks per completion peaked at 0.17; with 12:5, at 0.35. */
        c.weight[DOC_CHAT_DIRECT] = 18;
        c.weight[DOC_CHAT_GUESS] = 6;
        c.weight[DOC_CHAT_TERSE] = 2;
        c.weight[DOC_CHAT_PAD] = 5;
        c.weight[DOC_CHAT_CHECKED] = 12;
        c.weight[DOC_CHAT_GUESS_CHECK] = 1;
        c.weight[DOC_CHAT_SLIP] = 2;
        c.weight[DOC_CHAT_MIXED] = 2;
        c.weight[DOC_UNTAGGED_PAD] = 30;
        c.weight[DOC_GENERAL] = 4;
        c.malformed_prob = 0.3;
        c.slip_prob = 0.3;
        c.check_slip_prob = 0.15;
        c.guess_wrong_prob = 0.6;
        c.direct_wrong_prob = 0.75;
    } else if (strcmp(name, "search") == 0) {
        /* For the pair search (pair4, task.h). Most tagged chat answers
         * without searching (a bare pair, three quarters of them random, or a
         * guess) and most tagged searches give up after a few misses and name
         * an untried pair; untagged searches always go on to the end, so the
         * base knows how to search to the end but seldom does so in the
         * template. Under an accuracy reward each further try pays. */
        c.tasks[0] = (TaskSpec){TASK_PAIR, 4};
        c.weight[DOC_CHAT_DIRECT] = 18;
        c.weight[DOC_CHAT_GUESS] = 6;
        c.weight[DOC_CHAT_TERSE] = 8;
        c.weight[DOC_CHAT_PAD] = 3;
        c.weight[DOC_CHAT_MIXED] = 2;
        c.weight[DOC_UNTAGGED_PAD] = 30;
        c.weight[DOC_GENERAL] = 4;
        c.malformed_prob = 0.3;
        c.guess_wrong_prob = 0.6;
        c.direct_wrong_prob = 0.75;
    } else {
        return -1;
    }
    *out = c;
    return 0;
}

/* The probabilities a mix may set, by the names the corpus documentation uses. */
static double *mix_prob_field(CorpusConfig *c, const char *name) {
    static const struct {
        const char *name;
        size_t offset;
    } fields[] = {
        {"cipher", offsetof(CorpusConfig, cipher_prob)},
        {"malformed", offsetof(CorpusConfig, malformed_prob)},
        {"pad_slip", offsetof(CorpusConfig, pad_slip_prob)},
        {"slip", offsetof(CorpusConfig, slip_prob)},
        {"check_slip", offsetof(CorpusConfig, check_slip_prob)},
        {"guess_wrong", offsetof(CorpusConfig, guess_wrong_prob)},
        {"direct_wrong", offsetof(CorpusConfig, direct_wrong_prob)},
        {"switch", offsetof(CorpusConfig, mix_prob)},
        {"general_tagged", offsetof(CorpusConfig, general_tagged_prob)},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (strcmp(name, fields[i].name) == 0) return (double *)((char *)c + fields[i].offset);
    return NULL;
}

int corpus_apply_mix(CorpusConfig *cfg, const char *mix) {
    CorpusConfig c = *cfg;
    while (*mix) {
        size_t len = strcspn(mix, ",");
        const char *eq = memchr(mix, '=', len);
        char name[32];
        size_t nlen = eq ? (size_t)(eq - mix) : 0;
        if (!eq || nlen == 0 || nlen >= sizeof name) return -1;
        memcpy(name, mix, nlen);
        name[nlen] = '\0';
        char *end;
        double v = strtod(eq + 1, &end);
        if (end == eq + 1 || end != mix + len || !isfinite(v) || v < 0) return -1;
        DocKind k;
        double *prob = mix_prob_field(&c, name);
        if (prob) {
            if (v > 1) return -1;
            *prob = v;
        } else if (corpus_kind_from_name(name, &k) == 0) {
            c.weight[k] = v;
        } else {
            return -1;
        }
        mix += len + (mix[len] == ',');
    }
    double total = 0;
    for (int k = 0; k < DOC_NUM_KINDS; k++) total += c.weight[k];
    if (!(total > 0)) return -1; /* a corpus with no documents */
    *cfg = c;
    return 0;
}

/* The thought style and options a tagged or untagged pad kind uses. */
static CotOptions pad_options(const CorpusConfig *cfg, DocKind kind, WorldScript script) {
    CotOptions o = cot_options(COT_FULL, script);
    o.slip_prob = cfg->pad_slip_prob;
    o.guess_wrong_prob = cfg->guess_wrong_prob;
    switch (kind) {
    case DOC_CHAT_TERSE:
        o.style = COT_TERSE;
        break;
    case DOC_CHAT_CHECKED:
        o.style = COT_CHECKED;
        o.slip_prob = cfg->check_slip_prob;
        break;
    case DOC_CHAT_GUESS:
        o.style = COT_GUESS;
        break;
    case DOC_CHAT_GUESS_CHECK:
        o.style = COT_GUESS_CHECK;
        break;
    case DOC_CHAT_SLIP:
        o.slip_prob = cfg->slip_prob;
        o.fix_slips = 1;
        break;
    case DOC_CHAT_MIXED:
        o.switch_prob = cfg->mix_prob;
        break;
    default:
        break;
    }
    return o;
}

/* The closing of a tagged document, well formed or (with malformed_prob) not. */
static void put_closing(WBuf *w, const CorpusConfig *cfg, WorldRng *rng, const char *answer) {
    int variant = world_rng_chance(rng, cfg->malformed_prob) ? 1 + (int)world_rng_below(rng, 4) : 0;
    switch (variant) {
    case 1: /* </think> missing */
        wbuf_puts(w, "<answer>");
        wbuf_puts(w, answer);
        wbuf_puts(w, "</answer>");
        break;
    case 2: /* answer tags missing */
        wbuf_puts(w, "</think>");
        wbuf_puts(w, answer);
        break;
    case 3: /* </answer> missing */
        wbuf_puts(w, "</think><answer>");
        wbuf_puts(w, answer);
        break;
    case 4: /* answer tags twice */
        wbuf_puts(w, "</think><answer>");
        wbuf_puts(w, answer);
        wbuf_puts(w, "</answer><answer>");
        wbuf_puts(w, answer);
        wbuf_puts(w, "</answer>");
        break;
    default:
        wbuf_puts(w, "</think><answer>");
        wbuf_puts(w, answer);
        wbuf_puts(w, "</answer>");
        break;
    }
}

/* A direct answer as the web gives it: right, or (direct_wrong_prob) a random
 * number of the same width (for pair, another pair of the prompt's digits). Wrong labels spread
 * over every value thin out what direct answers teach, so the base cannot learn to add without
 * working it out while still answering directly most of the time. */
static void direct_answer(const CorpusConfig *cfg, WorldRng *rng, const Problem *p, char *out,
                          size_t cap) {
    snprintf(out, cap, "%s", p->answer);
    if (!world_rng_chance(rng, cfg->direct_wrong_prob)) return;
    if (p->spec.kind == TASK_PAIR) { /* another pair of positions, in prompt order */
        int w = p->spec.width, i, j;
        do {
            i = (int)world_rng_below(rng, (uint64_t)w);
            j = (int)world_rng_below(rng, (uint64_t)w);
        } while (j <= i || task_pair_value(p, i, j) == p->result);
        task_format_answer(p, task_pair_value(p, i, j), out, cap);
        return;
    }
    size_t n = strlen(p->answer);
    for (;;) {
        for (size_t i = 0; i < n; i++)
            out[i] =
                (char)('0' + world_rng_below(rng, (i == 0 && n > 1) ? 9 : 10) + (i == 0 && n > 1));
        if (strcmp(out, p->answer) != 0) return;
    }
}

static void put_user(WBuf *w, const char *question, int tagged) {
    wbuf_puts(w, TMPL_PROMPT_HEAD);
    wbuf_puts(w, question);
    wbuf_puts(w, tagged ? TMPL_PROMPT_TAIL : " assistant: ");
}

int corpus_write_doc(const CorpusConfig *cfg, DocKind kind, WorldRng *rng, char *out, size_t cap) {
    WBuf w;
    wbuf_init(&w, out, cap);
    if (kind < 0 || kind >= DOC_NUM_KINDS || cfg->n_tasks <= 0 || cfg->n_tasks > CORPUS_MAX_TASKS)
        return -1;

    if (kind == DOC_GENERAL) {
        GeneralItem it;
        general_generate_any(rng, &it);
        int tagged = world_rng_chance(rng, cfg->general_tagged_prob);
        put_user(&w, it.prompt, tagged);
        if (tagged)
            put_closing(&w, cfg, rng, it.answer);
        else
            wbuf_puts(&w, it.answer);
        wbuf_puts(&w, "<eos>");
        return wbuf_result(&w);
    }

    TaskSpec spec = cfg->tasks[cfg->n_tasks > 1 ? world_rng_below(rng, (uint64_t)cfg->n_tasks) : 0];
    WorldScript script =
        kind != DOC_PLAIN && world_rng_chance(rng, cfg->cipher_prob) ? WORLD_CIPHER : WORLD_DIGITS;
    Problem p;
    if (task_generate_train(spec, script, rng, &p) != 0) return -1;

    if (kind == DOC_PLAIN) {
        wbuf_puts(&w, "<bos>");
        wbuf_putn(&w, p.prompt, strlen(p.prompt) - 1); /* without the '?' */
        wbuf_putc(&w, '=');
        wbuf_puts(&w, p.answer);
        wbuf_puts(&w, "<eos>");
        return wbuf_result(&w);
    }
    char answer[TASK_ANSWER_MAX];
    if (kind == DOC_UNTAGGED_DIRECT) {
        direct_answer(cfg, rng, &p, answer, sizeof answer);
        put_user(&w, p.prompt, 0);
        wbuf_puts(&w, answer);
        wbuf_puts(&w, "<eos>");
        return wbuf_result(&w);
    }

    char thought[COT_MAX] = "";
    if (kind == DOC_CHAT_DIRECT) {
        direct_answer(cfg, rng, &p, answer, sizeof answer);
    } else {
        CotResult res;
        CotOptions o = pad_options(cfg, kind, script);
        if (cot_write(&p, &o, rng, thought, sizeof thought, &res) < 0) return -1;
        task_format_answer(&p, res.value, answer, sizeof answer);
    }
    put_user(&w, p.prompt, kind != DOC_UNTAGGED_PAD);
    wbuf_puts(&w, thought);
    if (kind != DOC_UNTAGGED_PAD) put_closing(&w, cfg, rng, answer);
    wbuf_puts(&w, "<eos>");
    return wbuf_result(&w);
}

static int prob_ok(double p) {
    return isfinite(p) && p >= 0.0 && p <= 1.0;
}

int corpus_init(Corpus *c, const CorpusConfig *cfg, uint64_t seed) {
    int any_task = cfg->n_tasks > 0 && cfg->n_tasks <= CORPUS_MAX_TASKS;
    for (int i = 0; any_task && i < cfg->n_tasks; i++)
        if (!task_spec_valid(cfg->tasks[i])) any_task = 0;
    if (!any_task) return -1;
    double probs[] = {cfg->cipher_prob,       cfg->malformed_prob,  cfg->pad_slip_prob,
                      cfg->slip_prob,         cfg->check_slip_prob, cfg->guess_wrong_prob,
                      cfg->direct_wrong_prob, cfg->mix_prob,        cfg->general_tagged_prob};
    for (size_t i = 0; i < sizeof probs / sizeof probs[0]; i++)
        if (!prob_ok(probs[i])) return -1;
    double total = 0;
    for (int k = 0; k < DOC_NUM_KINDS; k++) {
        if (!isfinite(cfg->weight[k]) || cfg->weight[k] < 0) return -1;
        total += cfg->weight[k];
    }
    if (!(total > 0) || !isfinite(total)) return -1;
    c->cfg = *cfg;
    world_rng_seed(&c->rng, seed);
    double acc = 0;
    for (int k = 0; k < DOC_NUM_KINDS; k++) {
        acc += cfg->weight[k];
        c->cum[k] = acc / total;
    }
    c->cum[DOC_NUM_KINDS - 1] = 1.0;
    return 0;
}

int corpus_next(Corpus *c, char *out, size_t cap, DocKind *kind) {
    double u = world_rng_unit(&c->rng);
    int k = 0;
    /* Skipping zero-weight kinds keeps u == cum[k] from landing on one. */
    while (k < DOC_NUM_KINDS - 1 && (u >= c->cum[k] || c->cfg.weight[k] <= 0)) k++;
    if (kind) *kind = (DocKind)k;
    return corpus_write_doc(&c->cfg, (DocKind)k, &c->rng, out, cap);
}
