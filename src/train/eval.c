#include "train/eval.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rng.h"
#include "train/pass_at_k.h"
#include "train/rollout.h"
#include "world/csvio.h"
#include "world/cipher.h"
#include "world/completion.h"
#include "world/cot.h"
#include "world/evalset.h"
#include "world/rng.h"
#include "world/template.h"
#include "world/tokenizer.h"

EvalConfig eval_defaults(void) {
    return (EvalConfig){.task = "add3",
                        .n_prompts = 100,
                        .k = 4,
                        .temperature = 1.0f,
                        .max_new_tokens = 96,
                        .cipher_prob = 0.0,
                        .cipher = 0,
                        .forced_modes = 0,
                        .seed = 1};
}

WorldScript eval_prompt_script(const EvalConfig *cfg, int i) {
    double p = cfg->cipher ? 1.0 : cfg->cipher_prob;
    if (p <= 0) return WORLD_DIGITS;
    WorldRng h;
    world_rng_seed(&h, world_rng_mix(cfg->seed ^ 0xc1f3e5c1f3e5ULL) ^ (uint64_t)i);
    return world_rng_chance(&h, p) ? WORLD_CIPHER : WORLD_DIGITS;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- reading one completion ---------------------------------------------- */

static int is_num(char c) {
    return cipher_char_digit(c, NULL) >= 0;
}

static int is_letter(char c) {
    return c >= 'a' && c <= 'z';
}

static int is_op(char c) {
    return c == '+' || c == '-' || c == '*';
}

int eval_thought_has_step(const char *t, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if (t[i] != '=') continue;
        size_t r = i + 1;
        while (r < len && is_num(t[r])) r++;
        /* "=bg" is a result, "=big" is a word that happens to start in a..j */
        if (r == i + 1 || (r < len && is_letter(t[r]))) continue;
        size_t j = i;
        int operands = 0;
        for (;;) {
            size_t end = j;
            while (j > 0 && is_num(t[j - 1])) j--;
            if (j == end) break;
            if (j > 0 && is_letter(t[j - 1])) { /* tail of a prose word ("like+...") */
                operands = 0;
                break;
            }
            operands++;
            if (j == 0 || !is_op(t[j - 1])) break;
            j--;
        }
        if (operands >= 2) return 1;
    }
    return 0;
}

void eval_score_completion(const Problem *p, const char *completion, EvalSampleScore *out) {
    CompletionParts parts;
    memset(out, 0, sizeof *out);
    out->well_formed = completion_parse(completion, &parts);
    out->answer = parts.answer;
    out->answer_len = parts.answer_len;
    out->correct = parts.answer && task_verify_span(p, parts.answer, parts.answer_len);
    out->thinks = eval_thought_has_step(parts.thought, parts.thought_len);
    size_t n = strlen(completion);
    out->waits = completion_count_word(completion, n, "wait");
    out->checks = completion_count_word(completion, n, "check");
    out->language =
        completion_script_share(parts.thought, parts.thought_len, p->script, &out->n_script);
}

/* A templated prompt or a bare question, as a problem. */
static int prompt_problem(const char *prompt, Problem *p) {
    char q[TASK_PROMPT_MAX];
    int n = tmpl_question(prompt, q, sizeof q);
    if (n >= (int)sizeof q) return -1;
    return task_parse_prompt(n >= 0 ? q : prompt, p);
}

/* Index of the majority answer among k scores, or -1 when none has an answer.
 * Strictly-greater keeps the earliest of tied answers. */
static int majority(const EvalSampleScore *sc, int k) {
    int best = -1, best_count = 0;
    for (int j = 0; j < k; j++) {
        if (!sc[j].answer) continue;
        int count = 0;
        for (int j2 = 0; j2 < k; j2++)
            count += sc[j2].answer && sc[j2].answer_len == sc[j].answer_len &&
                     memcmp(sc[j2].answer, sc[j].answer, sc[j].answer_len) == 0;
        if (count > best_count) {
            best = j;
            best_count = count;
        }
    }
    return best;
}

int eval_aggregate(const char *const *prompts, int n_prompts, int k, const char *const *completions,
                   const int *lengths, EvalResult *out) {
    if (!prompts || !completions || !out || n_prompts < 1 || k < 1) return -1;
    EvalSampleScore *sc = malloc(sizeof *sc * (size_t)k);
    if (!sc) return -1;
    double correct = 0, format = 0, lang = 0, length = 0, waits = 0, checks = 0, maj = 0;
    double pass[EVAL_MAX_PASS_K] = {0}, maj_of[EVAL_MAX_PASS_K] = {0};
    long lang_n = 0, think = 0, think_ok = 0, direct = 0, direct_ok = 0, cipher = 0;
    double cipher_ok = 0, cipher_lang = 0; /* where script mixing can happen */
    long cipher_lang_n = 0;
    int n_pass = 0;
    while (n_pass < EVAL_MAX_PASS_K && (1 << n_pass) <= k) n_pass++;
    for (int i = 0; i < n_prompts; i++) {
        Problem p;
        if (prompt_problem(prompts[i], &p) != 0) {
            free(sc);
            return -1;
        }
        cipher += p.script == WORLD_CIPHER;
        int right = 0;
        for (int j = 0; j < k; j++) {
            size_t idx = (size_t)i * k + j;
            const char *c = completions[idx];
            eval_score_completion(&p, c, &sc[j]);
            correct += sc[j].correct;
            right += sc[j].correct;
            format += sc[j].well_formed;
            waits += sc[j].waits;
            checks += sc[j].checks;
            if (sc[j].n_script > 0) {
                lang += sc[j].language;
                lang_n++;
            }
            if (p.script == WORLD_CIPHER) {
                cipher_ok += sc[j].correct;
                if (sc[j].n_script > 0) {
                    cipher_lang += sc[j].language;
                    cipher_lang_n++;
                }
            }
            if (sc[j].thinks) {
                think++;
                think_ok += sc[j].correct;
            } else {
                direct++;
                direct_ok += sc[j].correct;
            }
            if (lengths) {
                length += lengths[idx];
            } else {
                int t = tok_encode(c, NULL, 0, NULL);
                length += t >= 0 ? t : (double)strlen(c);
            }
        }
        int best = majority(sc, k);
        maj += best >= 0 && sc[best].correct;
        for (int e = 0; e < n_pass; e++) {
            int size = 1 << e, blocks = k / size, won = 0;
            pass[e] += pass_at_k(k, right, size);
            for (int b = 0; b < blocks; b++) {
                int m = majority(sc + b * size, size);
                won += m >= 0 && sc[b * size + m].correct;
            }
            maj_of[e] += (double)won / blocks;
        }
    }
    free(sc);
    double n = (double)n_prompts * k;
    memset(out, 0, sizeof *out);
    out->n_prompts = n_prompts;
    out->k = k;
    out->pass_at_1 = correct / n;
    out->maj_at_k = maj / n_prompts;
    out->format_rate = format / n;
    out->language_consistency = lang_n ? lang / (double)lang_n : 1.0;
    out->mean_length = length / n;
    out->aha_per_completion = waits / n;
    out->check_per_completion = checks / n;
    out->think_rate = think / n;
    out->pass_at_1_think = think ? (double)think_ok / (double)think : NAN;
    out->pass_at_1_direct = direct ? (double)direct_ok / (double)direct : NAN;
    out->forced_think_acc = NAN;
    out->forced_direct_acc = NAN;
    out->cipher_share = (double)cipher / n_prompts;
    out->pass_at_1_cipher = cipher ? cipher_ok / ((double)cipher * k) : NAN;
    out->language_cipher =
        cipher ? (cipher_lang_n ? cipher_lang / (double)cipher_lang_n : 1.0) : NAN;
    out->n_pass_k = n_pass;
    for (int e = 0; e < n_pass; e++) {
        out->pass_k[e] = 1 << e;
        out->pass_at[e] = pass[e] / n_prompts;
        out->maj_at[e] = maj_of[e] / n_prompts;
    }
    /* pass_at_1 is the same mean with the counts summed first; taking it
     * keeps the two figures from differing by round-off */
    out->pass_at[0] = out->maj_at[0] = out->pass_at_1;
    if (n_pass > 0 && out->pass_k[n_pass - 1] == k) out->maj_at[n_pass - 1] = out->maj_at_k;
    return 0;
}

/* ---- sampling -------------------------------------------------------------- */

typedef enum { MODE_FREE, MODE_THINK, MODE_DIRECT, NUM_MODES } Mode;

static const char *const mode_names[NUM_MODES] = {"free", "think", "direct"};

typedef struct {
    const Gpt *m;
    const EvalConfig *cfg;
    int n, k; /* prompts, samples per prompt */
    Problem *probs;
    char (*prompt)[64];  /* templated prompts */
    char (*prefill)[64]; /* per prompt, for the current mode */
    char (*full)[160];   /* prompt then prefill: what the model continues */
    const char **full_ptr;
    Rollout *ro;
    int chunk; /* prompts per rollout call */
    char *text;
    size_t text_cap;
    Rng rng;
    CsvWriter *csv;
    EvalProgress progress;
    void *ctx;
    int done, total;
    char task[16];
} Run;

/* Also checks every prompt against the context before any sampling; the
 * rollout would refuse it too, but only once its chunk comes up. */
static int prepare_mode(Run *r, Mode mode, char *err, size_t errlen) {
    const int T = r->m->cfg.max_seq_len;
    for (int i = 0; i < r->n; i++) {
        char *pre = r->prefill[i];
        pre[0] = '\0';
        if (mode == MODE_DIRECT)
            snprintf(pre, sizeof r->prefill[i], "</think>");
        else if (mode == MODE_THINK)
            cot_prefill(&r->probs[i], r->probs[i].script, pre, sizeof r->prefill[i]);
        char *full = r->full[i];
        snprintf(full, sizeof r->full[i], "%s%s", r->prompt[i], pre);
        r->full_ptr[i] = full;
        int len = tok_encode(full, NULL, 0, NULL);
        if (len < 0 || len >= T) {
            set_err(err, errlen,
                    "prompt '%s' takes %d tokens, leaving no room in the model's "
                    "context of %d",
                    full, len, T);
            return EVAL_EBADCONFIG;
        }
    }
    return 0;
}

/* Samples k completions of every prompt in the current mode; completion j of
 * prompt i goes to texts[i*k+j] (malloc'd, prefill included) when texts is not
 * NULL, and its generated length to lens. Forced modes accumulate accuracy. */
static int sample_mode(Run *r, Mode mode, char **texts, int *lens, double *acc, char *err,
                       size_t errlen) {
    const int k = r->k;
    long right = 0;
    for (int from = 0; from < r->n; from += r->chunk) {
        int to = from + r->chunk < r->n ? from + r->chunk : r->n;
        if (rollout_run(r->ro, r->m, to - from, r->full_ptr + from, &r->rng, err, errlen) != 0)
            return -1;
        int ns = rollout_count(r->ro);
        for (int q = 0; q < ns; q++) {
            int i = from + q / k;
            snprintf(r->text, r->text_cap, "%s%s", r->prefill[i], rollout_text(r->ro, q));
            EvalSampleScore sc;
            eval_score_completion(&r->probs[i], r->text, &sc);
            right += sc.correct;
            if (texts) {
                size_t idx = (size_t)i * k + (size_t)(q % k);
                texts[idx] = strdup(r->text);
                lens[idx] = rollout_length(r->ro, q);
                if (!texts[idx]) {
                    set_err(err, errlen, "out of memory");
                    return -1;
                }
            }
            if (r->csv) {
                char answer[64] = "", lang[32], len[16], waits[16];
                if (sc.answer)
                    snprintf(answer, sizeof answer, "%.*s", (int)sc.answer_len, sc.answer);
                snprintf(lang, sizeof lang, "%.4g", sc.language);
                int ntok = tok_encode(r->text, NULL, 0, NULL);
                snprintf(len, sizeof len, "%d", ntok);
                snprintf(waits, sizeof waits, "%d", sc.waits);
                const char *row[EVAL_SAMPLES_COLS] = {r->task,
                                                      mode_names[mode],
                                                      r->prompt[i],
                                                      r->text,
                                                      answer,
                                                      r->probs[i].answer,
                                                      sc.correct ? "1" : "0",
                                                      sc.well_formed ? "1" : "0",
                                                      sc.thinks ? "1" : "0",
                                                      lang,
                                                      len,
                                                      waits};
                if (csvio_writer_row(r->csv, row, EVAL_SAMPLES_COLS, err, errlen) != 0) return -1;
            }
        }
        r->done += to - from;
        if (r->progress && r->progress(r->ctx, r->done, r->total)) {
            set_err(err, errlen, "stopped");
            return EVAL_ESTOPPED;
        }
    }
    if (acc) *acc = (double)right / ((double)r->n * k);
    return 0;
}

static void run_free(Run *r) {
    rollout_free(r->ro);
    free(r->probs);
    free(r->prompt);
    free(r->prefill);
    free(r->full);
    free(r->full_ptr);
    free(r->text);
    csvio_writer_abort(r->csv);
}

static int check_config(const Gpt *m, const EvalConfig *cfg, TaskSpec *spec, char *err,
                        size_t errlen) {
    if (!cfg->task || task_spec_parse(cfg->task, spec) != 0) {
        set_err(err, errlen, "unknown task '%s' (expected e.g. add3, sub3, mul1x3, pair4)",
                cfg->task ? cfg->task : "(null)");
        return -1;
    }
    if (cfg->n_prompts < 1 || cfg->k < 1 || cfg->max_new_tokens < 1 ||
        !(cfg->temperature >= 0 && isfinite(cfg->temperature))) {
        set_err(err, errlen,
                "need n_prompts, k and max_new_tokens >= 1 and a finite temperature >= 0 "
                "(got %d, %d, %d, %g)",
                cfg->n_prompts, cfg->k, cfg->max_new_tokens, (double)cfg->temperature);
        return -1;
    }
    if (!(cfg->cipher_prob >= 0 && cfg->cipher_prob <= 1)) {
        set_err(err, errlen, "cipher_prob must be in [0, 1] (got %g)", cfg->cipher_prob);
        return -1;
    }
    if (m->cfg.vocab_size < TOK_VOCAB_SIZE) {
        set_err(err, errlen, "the model's vocabulary (%d) is smaller than the tokenizer's (%d)",
                m->cfg.vocab_size, TOK_VOCAB_SIZE);
        return -1;
    }
    return 0;
}

/* Rewrites the problems eval_prompt_script puts in the cipher, from the
 * cipher eval set (the same problems in the same order). */
static int script_problems(TaskSpec spec, const EvalConfig *cfg, int n, Problem *probs) {
    Problem *ciphered = NULL;
    for (int i = 0; i < n; i++) {
        if (eval_prompt_script(cfg, i) != WORLD_CIPHER) continue;
        if (!ciphered) {
            ciphered = malloc(sizeof *ciphered * (size_t)n);
            if (!ciphered) return -1;
            evalset_generate(spec, WORLD_CIPHER, n, ciphered);
        }
        probs[i] = ciphered[i];
    }
    free(ciphered);
    return 0;
}

int eval_model_with_samples(const Gpt *model, const EvalConfig *cfg, EvalResult *out,
                            const char *samples_path, EvalProgress progress, void *ctx, char *err,
                            size_t errlen) {
    TaskSpec spec;
    if (check_config(model, cfg, &spec, err, errlen) != 0) return EVAL_EBADCONFIG;
    const int maxnew = cfg->max_new_tokens;
    Run r = {.m = model, .cfg = cfg, .progress = progress, .ctx = ctx};
    task_spec_name(spec, r.task, sizeof r.task);
    /* Greedy decoding draws the same completion every time. */
    r.k = cfg->temperature == 0 ? 1 : cfg->k;
    r.probs = malloc(sizeof *r.probs * (size_t)cfg->n_prompts);
    if (!r.probs) {
        set_err(err, errlen, "out of memory");
        return -1;
    }
    r.n = evalset_generate(spec, WORLD_DIGITS, cfg->n_prompts, r.probs);
    if (r.n < 1) {
        set_err(err, errlen, "task '%s' has no held-out problems", r.task);
        free(r.probs);
        return EVAL_EBADCONFIG;
    }
    if (script_problems(spec, cfg, r.n, r.probs) != 0) {
        set_err(err, errlen, "out of memory");
        free(r.probs);
        return -1;
    }
    int seqs = rollout_batch_for(&model->cfg);
    r.chunk = seqs / r.k < 1 ? 1 : seqs / r.k;
    if (r.chunk > r.n) r.chunk = r.n;
    RolloutConfig ro_cfg = {
        .k = r.k, .max_new_tokens = maxnew, .temperature = cfg->temperature, .top_p = 1.0f};
    r.ro = rollout_new(&model->cfg, r.chunk, &ro_cfg);
    r.text_cap = (size_t)maxnew * 10 + 80;
    r.prompt = malloc(sizeof *r.prompt * (size_t)r.n);
    r.prefill = malloc(sizeof *r.prefill * (size_t)r.n);
    r.full = malloc(sizeof *r.full * (size_t)r.n);
    r.full_ptr = malloc(sizeof *r.full_ptr * (size_t)r.n);
    r.text = malloc(r.text_cap);
    size_t nk = (size_t)r.n * r.k;
    char **texts = calloc(nk, sizeof *texts);
    int *lens = malloc(sizeof(int) * nk);
    const char **qs = malloc(sizeof *qs * (size_t)r.n);
    int rc = -1;
    if (!r.ro || !r.prompt || !r.prefill || !r.full || !r.full_ptr || !r.text || !texts || !lens ||
        !qs) {
        set_err(err, errlen, "out of memory");
        goto done;
    }
    for (int i = 0; i < r.n; i++) {
        tmpl_prompt(r.probs[i].prompt, r.prompt[i], sizeof r.prompt[i]);
        qs[i] = r.probs[i].prompt;
    }
    if (samples_path) {
        static const char *const header[EVAL_SAMPLES_COLS] = {EVAL_SAMPLES_HEADER};
        r.csv = csvio_writer_open(samples_path, header, EVAL_SAMPLES_COLS, err, errlen);
        if (!r.csv) goto done;
    }
    rng_seed(&r.rng, cfg->seed);
    r.total = r.n * (cfg->forced_modes ? 3 : 1);
    EvalResult res;
    /* Every mode's prompts are checked before any sampling, so that a prompt
     * the context cannot hold is refused at once, not after minutes. */
    for (int mode = cfg->forced_modes ? MODE_DIRECT : MODE_FREE; mode >= MODE_FREE; mode--)
        if ((rc = prepare_mode(&r, (Mode)mode, err, errlen)) != 0) goto done;
    rc = -1;
    if ((rc = sample_mode(&r, MODE_FREE, texts, lens, NULL, err, errlen)) != 0) goto done;
    rc = -1;
    if (eval_aggregate(qs, r.n, r.k, (const char *const *)texts, lens, &res) != 0) {
        set_err(err, errlen, "could not read the eval prompts back");
        goto done;
    }
    if (cfg->forced_modes) {
        if (prepare_mode(&r, MODE_THINK, err, errlen) != 0 ||
            (rc = sample_mode(&r, MODE_THINK, NULL, NULL, &res.forced_think_acc, err, errlen)) !=
                0 ||
            prepare_mode(&r, MODE_DIRECT, err, errlen) != 0 ||
            (rc = sample_mode(&r, MODE_DIRECT, NULL, NULL, &res.forced_direct_acc, err, errlen)) !=
                0) {
            if (rc != EVAL_ESTOPPED) rc = -1;
            goto done;
        }
        rc = -1;
    }
    if (r.csv) {
        CsvWriter *w = r.csv;
        r.csv = NULL;
        if (csvio_writer_commit(w, err, errlen) != 0) goto done;
    }
    *out = res;
    rc = 0;
done:
    if (texts)
        for (size_t i = 0; i < nk; i++) free(texts[i]);
    free(texts);
    free(lens);
    free(qs);
    run_free(&r);
    return rc;
}

int eval_model(const Gpt *model, const EvalConfig *cfg, EvalResult *out, EvalProgress progress,
               void *ctx, char *err, size_t errlen) {
    return eval_model_with_samples(model, cfg, out, NULL, progress, ctx, err, errlen);
}
