#include "tui/inspect.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/panels.h"

void tui_inspect_init(TuiInspect *in) {
    memset(in, 0, sizeof *in);
    in->live = true;
    in->stage = -1;
}

void tui_inspect_free(TuiInspect *in) {
    tui_step_free(&in->trace);
    in->have = false;
}

void tui_inspect_order(const TuiStep *t, int g, int *out) {
    const int G = t->G;
    for (int i = 0; i < G; i++) out[i] = g * G + i;
    for (int i = 1; i < G; i++) /* insertion sort: G is small, and it is stable */
        for (int j = i; j > 0 && t->seq[out[j]].advantage > t->seq[out[j - 1]].advantage; j--) {
            int x = out[j];
            out[j] = out[j - 1];
            out[j - 1] = x;
        }
}

static int cursor_seq(const TuiInspect *in);
static const TuiStepToken *seq_tokens(const TuiStep *t, int i, int pass, int *n);

static bool differs(const TuiStepConfig *a, const TuiStepConfig *b) {
    return strcmp(a->loss, b->loss) != 0 || a->beta != b->beta || a->eps_low != b->eps_low ||
           a->eps_high != b->eps_high || a->scale_rewards != b->scale_rewards;
}

/* "HEAD beta 0.04 -> 0.4: the KL term, ..." for each knob that differs. */
static void describe(char *out, size_t cap, const char *head, const TuiStepConfig *was,
                     const TuiStepConfig *now) {
    size_t at = 0;
    out[0] = 0;
#define PUT(...) at += (size_t)snprintf(out + at, at < cap ? cap - at : 0, __VA_ARGS__)
    PUT("%s", head);
    if (strcmp(was->loss, now->loss) != 0)
        PUT(" loss_type %s -> %s: the weight,", was->loss, now->loss);
    if (was->beta != now->beta) PUT(" beta %g -> %g: the KL term,", was->beta, now->beta);
    if (was->eps_low != now->eps_low || was->eps_high != now->eps_high)
        PUT(" eps %g/%g -> %g/%g: the clip,", was->eps_low, was->eps_high, now->eps_low,
            now->eps_high);
    if (was->scale_rewards != now->scale_rewards)
        PUT(" scale_rewards %d -> %d: A,", was->scale_rewards, now->scale_rewards);
#undef PUT
    size_t n = strlen(out);
    if (n && out[n - 1] == ',') out[n - 1] = 0;
}

void tui_inspect_loaded(TuiInspect *in, int stage) {
    const TuiStep *t = &in->trace;
    in->have = true;
    in->stage = stage;
    if (in->group >= t->B) in->group = t->B - 1;
    if (in->group < 0) in->group = 0;
    if (in->row >= t->G) in->row = t->G - 1;
    if (in->pass >= t->mu) in->pass = 0;
    int i = cursor_seq(in), n = 0;
    if (i >= 0) seq_tokens(t, i, in->pass, &n);
    if (in->pos >= n) in->pos = n > 0 ? n - 1 : 0;
    TuiStepConfig now = {.set = true,
                         .step = t->step,
                         .stage = stage,
                         .beta = t->beta,
                         .eps_low = t->eps_low,
                         .eps_high = t->eps_high,
                         .scale_rewards = t->scale_rewards};
    snprintf(now.loss, sizeof now.loss, "%s", t->loss_name);
    TuiStepConfig was = in->shown;
    if (!was.set || !differs(&was, &now)) {
        /* the first step shown, or the same knobs: against GRPO's defaults */
        if (!was.set || !in->moved[0]) {
            in->moved[0] = 0;
            if (in->info.base.set && differs(&in->info.base, &now))
                describe(in->moved, sizeof in->moved, "against GRPO's defaults:", &in->info.base,
                         &now);
        }
    } else {
        char head[64];
        snprintf(head, sizeof head, "since the step shown before (step %ld):", was.step);
        describe(in->moved, sizeof in->moved, head, &was, &now);
    }
    in->shown = now;
}

/* The completion under the cursor, and its token list for the shown pass. */
static int cursor_seq(const TuiInspect *in) {
    const TuiStep *t = &in->trace;
    if (!in->have || t->G < 1 || t->G > 1024) return -1;
    int order[1024];
    tui_inspect_order(t, in->group, order);
    return order[in->row < t->G ? in->row : t->G - 1];
}

/* The tokens of completion i at pass p: masked completions have one pass. */
static const TuiStepToken *seq_tokens(const TuiStep *t, int i, int pass, int *n) {
    const TuiStepSeq *s = &t->seq[i];
    if (s->n_tok == 0) {
        *n = 0;
        return NULL;
    }
    int passes = s->masked ? 1 : (s->n_tok / (s->length > 0 ? s->length : 1));
    if (passes < 1) passes = 1;
    int p = pass < passes ? pass : 0;
    int per = s->n_tok / passes;
    *n = per;
    return t->tok + s->tok0 + (size_t)p * per;
}

TuiInspectAction tui_inspect_key(TuiInspect *in, TuiKey k) {
    const TuiStep *t = &in->trace;
    switch (k.key) {
    case ',':
    case '<':
        return TUI_INSPECT_PREV;
    case '.':
    case '>':
        return TUI_INSPECT_NEXT;
    case 'l':
        in->live = true;
        return TUI_INSPECT_NEWEST;
    default:
        break;
    }
    if (!in->have) return TUI_INSPECT_IGNORED;
    int n = 0;
    int i = cursor_seq(in);
    if (i >= 0) seq_tokens(t, i, in->pass, &n);
    switch (k.key) {
    case TUI_KEY_LEFT:
        if (in->pos > 0) in->pos--;
        break;
    case TUI_KEY_RIGHT:
        if (in->pos + 1 < n) in->pos++;
        break;
    case TUI_KEY_HOME:
        in->pos = 0;
        break;
    case TUI_KEY_END:
        in->pos = n > 0 ? n - 1 : 0;
        break;
    case TUI_KEY_UP:
        if (in->row > 0) in->row--;
        break;
    case TUI_KEY_DOWN:
        if (in->row + 1 < t->G) in->row++;
        break;
    case TUI_KEY_PGUP:
    case '[':
        in->group = (in->group + t->B - 1) % t->B;
        break;
    case TUI_KEY_PGDN:
    case ']':
        in->group = (in->group + 1) % t->B;
        break;
    case 'u': /* the next pass over the batch (mu > 1) */
        in->pass = (in->pass + 1) % (t->mu > 0 ? t->mu : 1);
        break;
    default:
        return TUI_INSPECT_IGNORED;
    }
    /* the cursor stays on a token of the completion it is in */
    i = cursor_seq(in);
    if (i >= 0) {
        seq_tokens(t, i, in->pass, &n);
        if (in->pos >= n) in->pos = n > 0 ? n - 1 : 0;
    }
    return TUI_INSPECT_MOVED;
}

/* ---- drawing ------------------------------------------------------------ */

static void token_glyphs(const TuiCanvas *c, const char *s, char *out, size_t cap) {
    if (strcmp(s, " ") == 0)
        s = c->g->utf8 ? "\xc2\xb7" : " "; /* a middle dot, so a space shows its colour */
    else if (strcmp(s, "\n") == 0)
        s = c->g->utf8 ? "\xe2\x86\xb5" : "/";
    snprintf(out, cap, "%s", s);
}

typedef struct {
    TuiRole role;
    uint8_t attr;
} Look;

/* Sign by colour (green up, red down) or, without colour, by attribute
 * (underline up, reverse down); size by bold (strong) and dim (weak). */
static Look token_look(const TuiStepToken *x, int masked, double scale) {
    if (masked) return (Look){TUI_ROLE_DIM, 0};
    if (x->clip) return (Look){TUI_ROLE_CLIPPED, 0};
    double m = scale > 0 ? fabs(x->push) / scale : 0;
    if (m < 0.02) return (Look){TUI_ROLE_DEFAULT, 0};
    TuiRole role = x->push > 0 ? TUI_ROLE_PUSH_UP : TUI_ROLE_PUSH_DOWN;
    uint8_t attr = m >= 0.6 ? TUI_ATTR_BOLD : m < 0.2 ? TUI_ATTR_DIM : 0;
    return (Look){role, attr};
}

/* The largest push in the prompt's group, which the intensities are
 * relative to. */
static double group_scale(const TuiStep *t, int g, int pass) {
    double m = 0;
    for (int j = 0; j < t->G; j++) {
        int n;
        const TuiStepToken *x = seq_tokens(t, g * t->G + j, pass, &n);
        for (int k = 0; k < n; k++)
            if (!x[k].clip && fabs(x[k].push) > m) m = fabs(x[k].push);
    }
    return m;
}

/* Completion tokens laid out from column x0 over width w; returns the lines
 * used (at least 1). Draws when c is not NULL. */
static int draw_tokens(TuiCanvas *c, bool paint, const TuiInspect *in, int i, int x0, int y, int w,
                       int max_h, double scale, int cursor) {
    const TuiStep *t = &in->trace;
    int n;
    const TuiStepToken *x = seq_tokens(t, i, in->pass, &n);
    int col = 0, line = 0;
    for (int k = 0; k < n; k++) {
        char g[16];
        token_glyphs(c, x[k].text, g, sizeof g);
        int gw = tui_text_width(g);
        if (col + gw > w && col > 0) {
            col = 0;
            line++;
        }
        if (line >= max_h) break;
        Look look = token_look(&x[k], t->seq[i].masked, scale);
        if (k == cursor) {
            /* the cursor shows against its neighbours: reverse, or, where the
             * token is drawn reversed already (mono), bold underline */
            bool reversed =
                in->mono && (look.role == TUI_ROLE_PUSH_DOWN || look.role == TUI_ROLE_CLIPPED);
            look = reversed ? (Look){TUI_ROLE_DEFAULT, TUI_ATTR_BOLD | TUI_ATTR_UNDERLINE}
                            : (Look){TUI_ROLE_SELECTED, TUI_ATTR_BOLD};
        }
        if (paint) tui_canvas_text(c, x0 + col, y + line, g, w - col, look.role, look.attr);
        col += gw;
    }
    return line + 1;
}

static double weight_of(const TuiStep *t, int i) {
    int n;
    const TuiStepToken *x = seq_tokens(t, i, 0, &n);
    return n > 0 ? x[0].weight : 0;
}

enum { PREFIX_W = 33 }; /* "> A+1.22 r1.00 |o| 47 w6.6e-04 M " */

static void draw_prefix(TuiCanvas *c, const TuiInspect *in, int i, int x, int y, bool at) {
    const TuiStep *t = &in->trace;
    const TuiStepSeq *s = &t->seq[i];
    char buf[64];
    snprintf(buf, sizeof buf, "%s A%+5.2f r%4.2f |o|%3d w%.1e", at ? ">" : " ", s->advantage,
             s->reward, s->length, weight_of(t, i));
    TuiRole role = s->advantage > 0   ? TUI_ROLE_PUSH_UP
                   : s->advantage < 0 ? TUI_ROLE_PUSH_DOWN
                                      : TUI_ROLE_DIM;
    tui_canvas_text(c, x, y, buf, PREFIX_W - 3, at ? TUI_ROLE_TITLE : role, 0);
    if (s->masked || s->truncated) /* masked, or truncated at max_new_tokens */
        tui_canvas_text(c, x + PREFIX_W - 2, y, s->masked ? "M" : "T", 1, TUI_ROLE_WARN, 0);
}

/* The minibatch's completions and (unmasked) tokens, the normaliser's parts. */
static void minibatch_size(const TuiStep *t, int mb, int *seqs, int *tokens) {
    int m = t->minibatches > 0 ? t->minibatches : 1, b = mb % m;
    *seqs = t->n * (b + 1) / m - t->n * b / m;
    *tokens = 0;
    for (size_t k = 0; k < t->n_tok; k++) *tokens += t->tok[k].minibatch == mb;
}

static void line(TuiCanvas *c, int x, int y, int w, TuiRole role, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static void line(TuiCanvas *c, int x, int y, int w, TuiRole role, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    tui_canvas_text(c, x, y, buf, w, role, 0);
}

/* The explainer's lines, before they meet the width there is: each is a
 * formula and an aside (what it means), the aside dropped where the two do
 * not fit one line, the formula wrapped where it alone does not. */
typedef struct {
    char text[12][256], aside[12][128];
    TuiRole role[12];
    int n;
} Explain;

static void say(Explain *e, TuiRole role, const char *aside, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void say(Explain *e, TuiRole role, const char *aside, const char *fmt, ...) {
    if (e->n >= 12) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->text[e->n], sizeof e->text[e->n], fmt, ap);
    va_end(ap);
    snprintf(e->aside[e->n], sizeof e->aside[e->n], "%s", aside ? aside : "");
    e->role[e->n++] = role;
}

/* Rows the lines take at width r.w; draws them into r when paint is set. */
static int draw_wrapped(TuiCanvas *c, bool paint, TuiRect r, const Explain *e) {
    int y = 0;
    for (int k = 0; k < e->n; k++) {
        char whole[400];
        snprintf(whole, sizeof whole, "%s%s%s", e->text[k], e->aside[k][0] ? "   " : "",
                 e->aside[k]);
        const char *s = tui_text_width(whole) <= r.w ? whole : e->text[k];
        for (int first = 1; *s || first; first = 0) {
            int indent = first ? 0 : 4, n = tui_wrap_at(s, r.w - indent);
            if (paint && y < r.h) {
                char part[400];
                snprintf(part, sizeof part, "%.*s", n, s);
                tui_canvas_text(c, r.x + indent, r.y + y, part, r.w - indent, e->role[k], 0);
            }
            y++;
            s += n;
            while (*s == ' ') s++;
        }
    }
    return y;
}

static void build_explainer(Explain *e, const TuiCanvas *c, const TuiInspect *in, int i) {
    const TuiStep *t = &in->trace;
    const TuiStepSeq *s = &t->seq[i];
    int n;
    const TuiStepToken *xs = seq_tokens(t, i, in->pass, &n);
    if (n == 0) {
        say(e, TUI_ROLE_DIM, NULL, "this completion has no tokens");
        return;
    }
    const TuiStepToken *x = &xs[in->pos < n ? in->pos : n - 1];
    char g[16];
    token_glyphs(c, x->text, g, sizeof g);
    char upd[32] = "";
    if (x->minibatch >= 0) snprintf(upd, sizeof upd, ", update %d", x->minibatch + 1);
    say(e, TUI_ROLE_TITLE, NULL, "token '%s' at %d of %d, completion %d of prompt %d, pass %d/%d%s",
        g, x->pos + 1, s->length, i % t->G + 1, s->group + 1, x->pass + 1, t->mu, upd);
    if (s->masked) {
        say(e, TUI_ROLE_DIM, "so it adds nothing to the loss",
            "masked: it hit max_new_tokens and mask_truncated is on");
        return;
    }
    double rho = x->ratio, lo = 1 - t->eps_low, hi = 1 + t->eps_high;
    double cl = rho < lo ? lo : rho > hi ? hi : rho, A = s->advantage;
    char clipped[64];
    snprintf(clipped, sizeof clipped, "clip(rho, %.2f, %.2f) = %.4f", lo, hi, cl);
    say(e, TUI_ROLE_DEFAULT, clipped, "rho = pi/pi_old = exp(%.4f - (%.4f)) = %.4f", x->logp,
        x->logp_old, rho);
    double mean = t->group_mean[s->group], sd = t->group_std[s->group];
    if (t->scale_rewards)
        say(e, TUI_ROLE_DEFAULT, "the group's mean and std",
            "A = (r - mean)/(std + 1e-4) = (%.3f - %.3f)/(%.3f + 1e-4) = %+.3f", s->reward, mean,
            sd, A);
    else
        say(e, TUI_ROLE_DEFAULT, "scale_rewards 0: Dr. GRPO, no std",
            "A = r - mean = %.3f - %.3f = %+.3f", s->reward, mean, A);
    double m = rho * A < cl * A ? rho * A : cl * A;
    const char *clip_says = x->clip < 0   ? "  LOW CLIP ACTIVE"
                            : x->clip > 0 ? "  HIGH CLIP ACTIVE"
                                          : "";
    say(e, x->clip ? TUI_ROLE_WARN : TUI_ROLE_DEFAULT,
        x->clip ? "no gradient from the surrogate" : "clip not active",
        "min(rho A, clip(rho) A) = min(%.4f, %.4f) = %.4f%s", rho * A, cl * A, m, clip_says);
    double d = (double)x->logp_ref - x->logp;
    if (t->beta > 0)
        say(e, TUI_ROLE_DEFAULT, "KL = pi_ref/pi - log(pi_ref/pi) - 1",
            "beta KL = %g x (%.5f - (%.5f) - 1) = %.2e", t->beta, exp(d), d, t->beta * x->kl);
    else
        say(e, TUI_ROLE_DIM, NULL, "beta 0: no KL term, no reference model");
    int mb_seqs, mb_tokens;
    minibatch_size(t, x->minibatch, &mb_seqs, &mb_tokens);
    switch (t->loss_type) {
    case TUI_LOSS_GRPO:
        say(e, TUI_ROLE_DEFAULT, "grpo: a short answer's tokens weigh more",
            "weight = 1/(n |o_i|) = 1/(%d x %d) = %.3e", mb_seqs, s->length, x->weight);
        break;
    case TUI_LOSS_DAPO:
        say(e, TUI_ROLE_DEFAULT, "dapo: every token of the minibatch alike",
            "weight = 1/sum|o| = 1/%d = %.3e", mb_tokens, x->weight);
        break;
    case TUI_LOSS_DR_GRPO:
        say(e, TUI_ROLE_DEFAULT, "dr_grpo: a constant, length-blind",
            "weight = 1/(n L) = 1/(%d x %d) = %.3e", mb_seqs, t->max_new_tokens, x->weight);
        break;
    }
    say(e,
        x->push > 0   ? TUI_ROLE_PUSH_UP
        : x->push < 0 ? TUI_ROLE_PUSH_DOWN
                      : TUI_ROLE_DEFAULT,
        x->push > 0   ? "the update raises it"
        : x->push < 0 ? "the update lowers it"
                      : NULL,
        "term = weight (min - beta KL) = %+.3e  push %+.3e: %s", x->objective, x->push,
        x->push > 0   ? "reinforced"
        : x->push < 0 ? "suppressed"
                      : "untouched");
    char rw[256];
    size_t at = 0;
    rw[0] = 0;
    for (int k = 0; k < t->n_rewards && at < sizeof rw; k++)
        at += (size_t)snprintf(rw + at, sizeof rw - at, "%s%s %g x %g", k ? " + " : "",
                               t->reward_name[k], s->term[k], t->reward_weight[k]);
    say(e, TUI_ROLE_DIM, NULL, "r = %s = %.3f", rw, s->reward);
}

static void draw_legend(TuiCanvas *c, int x, int y, int w, bool mono) {
    if (mono) {
        line(c, x, y, w, TUI_ROLE_DIM,
             "underline=reinforced reverse=suppressed bold/dim=strong/weak b+u+r=clipped");
        return;
    }
    int at = x;
    struct {
        const char *text;
        TuiRole role;
        uint8_t attr;
    } part[] = {{"reinforced", TUI_ROLE_PUSH_UP, TUI_ATTR_BOLD},
                {"suppressed", TUI_ROLE_PUSH_DOWN, TUI_ATTR_BOLD},
                {"clipped", TUI_ROLE_CLIPPED, 0},
                {"masked", TUI_ROLE_DIM, 0},
                {"(bold strong, dim weak)", TUI_ROLE_DEFAULT, 0}};
    for (size_t k = 0; k < sizeof part / sizeof part[0] && at < x + w; k++) {
        at += tui_canvas_text(c, at, y, part[k].text, x + w - at, part[k].role, part[k].attr);
        at += 2;
    }
}

void tui_draw_inspect(TuiCanvas *c, TuiRect r, const TuiInspect *in, const char *stage_name) {
    char title[160];
    const TuiStep *t = &in->trace;
    if (in->have)
        snprintf(title, sizeof title, "step inspector: %s, step %ld%s", stage_name, t->step,
                 in->info.live ? " (live, newest)"
                 : in->live    ? " (newest recorded)"
                               : "");
    else
        snprintf(title, sizeof title, "step inspector: %s", stage_name);
    tui_draw_frame(c, r, title, TUI_ROLE_BORDER);
    TuiRect a = {r.x + 1, r.y + 1, r.w - 2, r.h - 2};
    if (!in->have) {
        line(c, a.x + 1, a.y + 1, a.w - 2, TUI_ROLE_DIM, "%s",
             in->msg[0] ? in->msg : "no step recorded yet");
        return;
    }
    int y = a.y;
    int flat = t->zero_variance_groups;
    char where[64];
    if (in->info.index >= 0)
        snprintf(where, sizeof where, "recorded step %d of %d", in->info.index + 1, in->info.count);
    else
        snprintf(where, sizeof where, "%d steps recorded", in->info.count);
    line(c, a.x, y++, a.w, TUI_ROLE_DEFAULT,
         "%s  no-signal groups %d/%d (%.0f%%)  loss %.4g  %s  beta %g  eps %g/%g  "
         "scale_rewards %d",
         where, flat, t->B, t->B ? 100.0 * flat / t->B : 0, t->loss, t->loss_name, t->beta,
         t->eps_low, t->eps_high, t->scale_rewards);
    const int g = in->group;
    int same = 1;
    for (int j = 1; j < t->G; j++)
        if (t->seq[g * t->G + j].reward != t->seq[g * t->G].reward) same = 0;
    line(c, a.x, y, a.w, TUI_ROLE_TITLE, "prompt %d/%d: %s", g + 1, t->B, t->prompt[g]);
    char stats[128];
    snprintf(stats, sizeof stats, "  r mean %.3f std %.3f%s", t->group_mean[g], t->group_std[g],
             same ? "  NO SIGNAL: all equal, A = 0" : "");
    int pw = tui_text_width(t->prompt[g]) + 14;
    tui_canvas_text(c, a.x + pw, y, stats, a.w - pw, same ? TUI_ROLE_WARN : TUI_ROLE_DEFAULT, 0);
    y++;
    if (in->moved[0]) line(c, a.x, y++, a.w, TUI_ROLE_WARN, "%s", in->moved);
    if (in->msg[0]) line(c, a.x, y++, a.w, TUI_ROLE_WARN, "%s", in->msg); /* a refused key */

    /* completions, then the explainer and the legend at the bottom */
    const int legend_y = a.y + a.h - 1;
    int order[1024];
    if (t->G > 1024) return;
    tui_inspect_order(t, g, order);
    Explain e = {0};
    build_explainer(&e, c, in, order[in->row]);
    int explain_h = draw_wrapped(c, false, (TuiRect){a.x, 0, a.w, 99}, &e);
    if (a.h - (y - a.y) - explain_h - 2 < 4) explain_h = a.h - (y - a.y) - 6; /* the list first */
    if (explain_h < 2) explain_h = 2;
    const int explain_y = legend_y - explain_h - 1;
    const int list_h = explain_y - y - 1;
    const int tok_x = a.x + PREFIX_W, tok_w = a.w - PREFIX_W;
    double scale = group_scale(t, g, in->pass);
    /* first row shown: the cursor's completion must be in view */
    int top = 0;
    for (;;) {
        int used = 0;
        for (int j = top; j <= in->row && j < t->G; j++)
            used += draw_tokens(c, false, in, order[j], 0, 0, tok_w, 99, scale, -1);
        if (used <= list_h || top >= in->row) break;
        top++;
    }
    int yy = y;
    for (int j = top; j < t->G && yy < y + list_h; j++) {
        bool at = j == in->row;
        draw_prefix(c, in, order[j], a.x, yy, at);
        yy += draw_tokens(c, true, in, order[j], tok_x, yy, tok_w, y + list_h - yy, scale,
                          at ? in->pos : -1);
    }
    if (top > 0) tui_canvas_put(c, a.x + a.w - 1, y, c->g->arrow_up, TUI_ROLE_DIM, 0);
    if (yy >= y + list_h)
        tui_canvas_put(c, a.x + a.w - 1, y + list_h - 1, c->g->arrow_down, TUI_ROLE_DIM, 0);
    tui_canvas_line(c, r.x, explain_y - 1, r.x + r.w - 1, explain_y - 1, TUI_ROLE_BORDER);
    draw_wrapped(c, true, (TuiRect){a.x, explain_y, a.w, explain_h}, &e);
    draw_legend(c, a.x, legend_y, a.w, in->mono);
}
