#ifndef R1SIM_WORLD_CORPUS_H
#define R1SIM_WORLD_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "world/rng.h"
#include "world/task.h"

/* The pretraining corpus ("web text") mixer. What the base model can do before
 * RL — how often it thinks in the template, whether thinking beats answering
 * directly, whether a check pays — is decided here, so the proportions are the
 * caller's to set (docs/design.md, "The world"). Documents come one at a
 * time from a seed; the same config and seed give the same stream.
 *
 * Every document is a whole training string, "<bos>...<eos>", and encodes with
 * tok_encode. Tagged chat documents use the R1-Zero template (template.h):
 *   <bos>user: 347+589? assistant: <think>THOUGHT</think><answer>936</answer><eos>
 * and their answer is what the thought concludes (wrong when a slip or a wrong
 * guess went uncorrected; that is the point). A share of them get a malformed
 * closing (a tag missing, or the answer tags twice) so the base's format is
 * imperfect and a format reward has something to teach. Problems come from
 * task_generate_train, so no held-out eval problem ever appears. */

typedef enum {
    DOC_CHAT_DIRECT,      /* tagged, empty thought: the direct answer */
    DOC_CHAT_TERSE,       /* tagged, terse partial pad */
    DOC_CHAT_PAD,         /* tagged, full pad */
    DOC_CHAT_CHECKED,     /* tagged, full pad (first pass may slip) + check that fixes it */
    DOC_CHAT_GUESS,       /* tagged, "guess N" (may be wrong) */
    DOC_CHAT_GUESS_CHECK, /* tagged, guess then a checking pad */
    DOC_CHAT_SLIP,        /* tagged, full pad with slips corrected after "wait" */
    DOC_CHAT_MIXED,       /* tagged, full pad mixing the two scripts */
    DOC_PLAIN,            /* "347+589=936", always digits */
    DOC_UNTAGGED_DIRECT,  /* "user: 347+589? assistant: 936" */
    DOC_UNTAGGED_PAD,     /* "user: 347+589? assistant: 7+9+0=16. ... so 936" */
    DOC_GENERAL,          /* a general item (general.h), tagged or untagged */
    DOC_NUM_KINDS
} DocKind;

enum { CORPUS_MAX_TASKS = 8, CORPUS_DOC_MAX = 768 };

typedef struct {
    double weight[DOC_NUM_KINDS];     /* relative proportions of the kinds (need not sum to 1) */
    TaskSpec tasks[CORPUS_MAX_TASKS]; /* problems are drawn from these, uniformly */
    int n_tasks;
    double cipher_prob;         /* share of problems (and their pads) in the cipher */
    double malformed_prob;      /* share of tagged chat documents with a malformed closing */
    double pad_slip_prob;       /* terse, full and untagged pads: per-step uncorrected slips */
    double slip_prob;           /* DOC_CHAT_SLIP: per-step slips, each fixed after "wait" */
    double check_slip_prob;     /* DOC_CHAT_CHECKED: per-step first-pass slips the check catches */
    double guess_wrong_prob;    /* guess documents: chance the guess is wrong */
    double direct_wrong_prob;   /* direct answers (tagged or not): chance of a random wrong one */
    double mix_prob;            /* DOC_CHAT_MIXED: per-unit chance of the other script */
    double general_tagged_prob; /* DOC_GENERAL: share written in the template */
} CorpusConfig;

/* Presets: "prototype" is the PyTorch prototype's mix (tagged chat 57 % — of it
 * 58 % direct, 22 % pads, the rest guesses, checks, slips and mixed scripts —
 * 45 % malformed closings, plain a+b=s 12 %, untagged direct 8 % and pads 18 %,
 * general 5 %). "graded" follows what worked afterwards: scarce direct answers
 * (10 %), no bare a+b=s, a reliable pad, graded thoroughness (terse < full <
 * checked) and checks that fix a first pass wrong ~40 % of the time on add3;
 * its base thinks ~85 % of the time. "ready" is "graded" reshaped for a base
 * that R1-Zero can start from: most tagged chat answers without a pad (bare,
 * or a guess wrong 60 % of the time; three quarters of the bare answers are
 * random), untagged pads keep the pad practised, and checked pads outnumber
 * plain tagged ones, so the base thinks ~25-35 % of the time, its thoughts are
 * right 30-50 % of the time and its direct answers almost never (pretrain.c's
 * defaults). These draw add3 problems; "search" draws pair4 (task.h): most
 * tagged chat names a pair at once (three quarters of them random) or after a
 * guess, most tagged searches give up after a few misses, untagged searches
 * always go on to the end. 0 on success, -1 for an unknown name. */
int corpus_config_preset(const char *name, CorpusConfig *out);

/* Reshapes a preset from "name=value,..." so a script can shape its own base.
 * A document kind's name sets its weight ("chat_checked=12,chat_pad=2");
 * cipher, malformed, pad_slip, slip, check_slip, guess_wrong, direct_wrong and
 * general_tagged set the CorpusConfig probabilities of those names (+ _prob),
 * and switch sets mix_prob. The empty string changes nothing. 0 on success;
 * -1 for an unknown name, a value that is not a finite number >= 0 (or a
 * probability above 1), a malformed list, or weights that all end up 0; cfg
 * is then unchanged. */
int corpus_apply_mix(CorpusConfig *cfg, const char *mix);

/* "chat_direct", "chat_terse", ..., "general"; and back (-1 if unknown). */
const char *corpus_kind_name(DocKind k);
int corpus_kind_from_name(const char *name, DocKind *out);

/* Writes one document of the given kind. Returns its length, or -1 when it
 * does not fit in cap (CORPUS_DOC_MAX always suffices). */
int corpus_write_doc(const CorpusConfig *cfg, DocKind kind, WorldRng *rng, char *out, size_t cap);

typedef struct {
    CorpusConfig cfg;
    WorldRng rng;
    double cum[DOC_NUM_KINDS]; /* cumulative normalised weights */
} Corpus;

/* 0 on success; -1 when the config is unusable (no valid task, a negative or
 * non-finite weight or probability, all weights zero). */
int corpus_init(Corpus *c, const CorpusConfig *cfg, uint64_t seed);

/* The next document of the stream; returns its length or -1 as
 * corpus_write_doc, and its kind in *kind if not NULL. */
int corpus_next(Corpus *c, char *out, size_t cap, DocKind *kind);

#endif
