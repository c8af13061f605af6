#ifndef R1SIM_ENGINE_GPT_H
#define R1SIM_ENGINE_GPT_H

/* The tiny GPT-2 that every r1sim stage trains: model memory, the batched
 * training forward, per-token log-probabilities, and the two backward entries.
 *
 * Shape letters used in comments throughout the engine:
 *   B batch (sequences), T time (positions), C d_model, NH heads, hs = C/NH,
 *   V vocabulary, L layers, BT = B*T rows.
 *
 * Memory follows llm.c: one blob of parameters, one of gradients (same layout,
 * so the optimizer, clipping and checkpoint I/O are flat loops) and one of
 * activations sized for the largest B*T seen so far. The engine knows nothing
 * of stages, Lua or curses. */

#include <stddef.h>

/* The trunk's 16 tensors, then the scalar head's two (empty in a policy).
 * The head sits last in the blob so a policy's blob is a reward model's
 * prefix, and AdamW, gradient clipping, copies and checkpoints stay flat
 * loops over one blob whatever the model's kind. */
#define GPT_TRUNK_TENSORS 16
#define GPT_NUM_TENSORS 18

typedef struct {
    int max_seq_len; /* T limit (learned positions) */
    int vocab_size;  /* V */
    int n_layer;     /* L */
    int n_head;      /* NH */
    int d_model;     /* C */
    int has_head;    /* 1: a reward model with a scalar head (reward_head.h) */
} GptConfig;

/* Named views into a parameter (or gradient) blob, in checkpoint order.
 * Matrices are (out, in) like PyTorch's nn.Linear. */
typedef struct {
    float *wte;      /* (V, C), also the tied LM head */
    float *wpe;      /* (T, C) */
    float *ln1w;     /* (L, C) */
    float *ln1b;     /* (L, C) */
    float *qkvw;     /* (L, 3C, C) */
    float *qkvb;     /* (L, 3C) */
    float *attprojw; /* (L, C, C) */
    float *attprojb; /* (L, C) */
    float *ln2w;     /* (L, C) */
    float *ln2b;     /* (L, C) */
    float *fcw;      /* (L, 4C, C) */
    float *fcb;      /* (L, 4C) */
    float *fcprojw;  /* (L, C, 4C) */
    float *fcprojb;  /* (L, C) */
    float *lnfw;     /* (C) */
    float *lnfb;     /* (C) */
    float *headw;    /* (C) scalar head of a reward model, NULL in a policy */
    float *headb;    /* (1) */
} GptTensors;

/* Activations kept from forward for backward. Everything backward reads is
 * stored (recomputing the GELU output and the attention probabilities cost
 * ~5% of a step at size S); callers bound the footprint by micro-batching.
 * A no-grad forward stores one layer's slot of the (L, ...) arrays, reused
 * by every layer, and two of resid1's. */
typedef struct {
    float *resid1;   /* (L, BT, C) input of each block */
    float *ln1;      /* (L, BT, C) */
    float *ln1_mean; /* (L, BT) */
    float *ln1_rstd; /* (L, BT) */
    float *qkv;      /* (L, BT, 3C) */
    float *atty;     /* (L, BT, C) attention output before the projection */
    float *resid2;   /* (L, BT, C) after the attention residual */
    float *ln2;      /* (L, BT, C) */
    float *ln2_mean; /* (L, BT) */
    float *ln2_rstd; /* (L, BT) */
    float *fch;      /* (L, BT, 4C) MLP hidden before GELU */
    float *gelu;     /* (L, BT, 4C) GELU output */
    float *att;      /* (L, B, NH, T, T) attention probabilities, zero above the diagonal */
    float *residf;   /* (BT, C) output of the last block */
    float *lnf;      /* (BT, C) */
    float *lnf_mean; /* (BT) */
    float *lnf_rstd; /* (BT) */
    float *logits;   /* (BT, V) */
    float *probs;    /* (BT, V) softmax of logits, filled by gpt_logp */
} GptActs;

/* Scratch for backward, reused by every layer. */
typedef struct {
    float *dresid;  /* (BT, C) gradient flowing along the residual stream */
    float *dbuf_c;  /* (BT, C) */
    float *dbuf_4c; /* (BT, 4C), also holds (BT, 3C) */
    float *datt;    /* (B, NH, T, T) */
    float *rowbuf;  /* (2, BT) per-row values for the loss helpers */
} GptScratch;

typedef struct {
    GptConfig cfg;
    size_t tensor_size[GPT_NUM_TENSORS];
    size_t num_params;
    float *params; /* the blob */
    GptTensors w;
    float *grads; /* NULL until the first backward */
    GptTensors g;
    /* activation capacity in rows (B*T) and the shape of the last forward */
    size_t act_rows, act_att; /* capacity: B*T rows, B*NH*T*T attention entries */
    size_t act_layers;        /* layer slots: n_layer, or 1 after no-grad forwards only */
    int B, T;
    int kept; /* 1: the last forward kept every layer's activations, for backward */
    float *acts_mem;
    GptActs a;
    float *scratch_mem;
    size_t scratch_rows, scratch_att;
    GptScratch s;
    float logp_temperature; /* of the last gpt_logp, used by gpt_backward_logp */
    const int *tokens;      /* (B, T) of the last forward, borrowed */
} Gpt;

/* Checks a configuration; returns NULL when valid, else a static message. */
const char *gpt_config_error(const GptConfig *cfg);

/* Number of parameters of a valid configuration. */
size_t gpt_num_params(const GptConfig *cfg);

/* Allocates a model with uninitialised parameters; NULL on bad config or OOM. */
Gpt *gpt_new(const GptConfig *cfg);
void gpt_free(Gpt *m);

/* GPT-2 initialisation: N(0, 0.02) weights, residual projections scaled by
 * 1/sqrt(2L), LayerNorm weights 1, biases 0. Deterministic for a seed. */
void gpt_init_random(Gpt *m, unsigned long long seed);

/* Points t's views at a blob in GptTensors order; sizes are tensor_size.
 * Shared by the parameter and gradient blobs so their layouts cannot drift. */
void gpt_point_tensors(GptTensors *t, float *mem, const size_t *sizes);

/* 1 when every parameter is finite. One pass over the weights, cheap next to
 * a training step, so trainers may check after every update. */
int gpt_params_finite(const Gpt *m);

/* Copies parameters from src (same config). */
void gpt_copy_params(Gpt *dst, const Gpt *src);

/* Forward over tokens (B, T), T <= max_seq_len, ids < V. Fills logits. */
void gpt_forward(Gpt *m, const int *tokens, int B, int T);

/* gpt_forward without the LM head: stops at the final LayerNorm (a.lnf), for
 * callers that read hidden states only (the reward head), skipping the
 * (B*T, V) product. gpt_logp and the logit backward need gpt_forward. */
void gpt_forward_hidden(Gpt *m, const int *tokens, int B, int T);

/* The same forwards, with the same numbers in logits, probs (after
 * gpt_logp) and lnf, for a model that will not run backward from them (a
 * reference policy, a teacher, a scoring reward model): the per-layer
 * activations take one layer's memory instead of L's, and the backward
 * scratch is not allocated. A backward after one of these aborts. */
void gpt_forward_nograd(Gpt *m, const int *tokens, int B, int T);
void gpt_forward_hidden_nograd(Gpt *m, const int *tokens, int B, int T);

/* After gpt_forward: logp[i] = log softmax(logits[i])[targets[i]] for each of
 * the B*T rows; rows whose target is negative get 0. entropy (may be NULL)
 * gets the softmax entropy of every row. Keeps the softmax for backward.
 * temperature scales logits first (1 for plain log-probs); it must match the
 * temperature of the later backward. */
void gpt_logp(Gpt *m, const int *targets, float temperature, float *logp, float *entropy);

/* Sets gradients to zero (allocating them on first use). */
void gpt_zero_grad(Gpt *m);

/* Backward from dL/dlogp per row (B*T values, targets as given to gpt_logp);
 * rows with a negative target contribute nothing. Gradients accumulate. */
void gpt_backward_logp(Gpt *m, const int *targets, const float *dlogp);

/* Backward from dL/dlogits (B*T, V) directly. Gradients accumulate. */
void gpt_backward_logits(Gpt *m, const float *dlogits);

/* Backward from dL/d(final LayerNorm output) (B*T, C), after either forward:
 * the trunk's part of every backward. dlnf may be m->s.dbuf_c (it is read
 * before that scratch is reused). Gradients accumulate. */
void gpt_backward_hidden(Gpt *m, const float *dlnf);

/* Mean cross-entropy of targets (negative targets ignored) over the last
 * forward, with its backward folded in when backward != 0. Returns the loss. */
float gpt_cross_entropy_step(Gpt *m, const int *targets, int backward);

/* Bytes held by parameters, gradients and activations (for reports). */
size_t gpt_memory_bytes(const Gpt *m);

#endif
