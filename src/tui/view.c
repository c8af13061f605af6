#include "tui/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui/flowchart.h"
#include "tui/panels.h"

static void send(TuiView *v, TuiCommandKind kind, int stage) {
    if (v->src.command) v->src.command(v->src.ctx, (TuiCommand){.kind = kind, .stage = stage});
}

void tui_view_init(TuiView *v, TuiSource src) {
    memset(v, 0, sizeof *v);
    v->src = src;
    v->dirty = TUI_DIRTY_ALL;
    tui_inspect_init(&v->inspect);
}

/* Asks the source for a step of the selected stage into the inspector. */
static void inspect_fetch(TuiView *v, long step, int dir) {
    TuiInspect *in = &v->inspect;
    v->dirty |= TUI_DIRTY_MAIN;
    const int s = v->selected;
    if (s >= v->model.n_stages) return;
    if (strcmp(v->model.stages[s].kind, "grpo") != 0) {
        in->have = false;
        in->stage = s;
        snprintf(in->msg, sizeof in->msg,
                 "%s is a %s stage: the step inspector looks inside GRPO steps (tab: another "
                 "stage)",
                 v->model.stages[s].name, v->model.stages[s].kind);
        return;
    }
    if (!v->src.step_trace) {
        in->have = false;
        snprintf(in->msg, sizeof in->msg, "this view has no recorded steps");
        return;
    }
    TuiStepInfo info = {0};
    char msg[160] = "";
    unsigned long have = in->have && in->stage == s ? in->info.seq : 0;
    if (step != TUI_STEP_NEWEST) have = 0;
    int rc = v->src.step_trace(v->src.ctx, s, step, dir, have, &in->trace, &info, msg, sizeof msg);
    if (rc > 0) {
        in->info = info;
        in->msg[0] = 0;
        tui_inspect_loaded(in, s);
    } else if (rc < 0) {
        snprintf(in->msg, sizeof in->msg, "%s", msg);
        if (in->stage != s) in->have = false; /* never another stage's step */
        in->stage = s;
    }
}

static void inspect_open(TuiView *v) {
    v->pinned = true; /* looking inside this stage: the selection no longer follows the run */
    v->screen = TUI_SCREEN_INSPECT;
    v->inspect.live = true;
    inspect_fetch(v, TUI_STEP_NEWEST, 0);
}

void tui_view_free(TuiView *v) {
    tui_inspect_free(&v->inspect);
    if (v->have_layout) tui_layout_free(&v->layout);
    v->have_layout = false;
}

void tui_view_resize(TuiView *v, int w, int h) {
    v->w = w;
    v->h = h;
    v->dirty = TUI_DIRTY_ALL;
}

static void select_stage(TuiView *v, int i) {
    if (i < 0 || i >= v->model.n_stages || i == v->selected) return;
    v->selected = v->model.selected = i;
    tui_optedit_reset(&v->edit); /* another stage, other options */
    send(v, TUI_CMD_SELECT, i);
    v->dirty |= TUI_DIRTY_MAIN | TUI_DIRTY_STATUS;
}

/* A selection the user made stays; until then it follows the running stage,
 * so a demo shows the charts of whatever is training. */
static void user_select(TuiView *v, int i) {
    v->pinned = true;
    select_stage(v, i);
}

void tui_view_poll(TuiView *v) {
    if (!v->src.snapshot) return;
    v->model.selected = v->selected;
    v->src.snapshot(v->src.ctx, &v->model);
    v->model.selected = v->selected;
    if (v->selected >= v->model.n_stages)
        v->selected = v->model.n_stages ? v->model.n_stages - 1 : 0;
    v->model.selected = v->selected;
    if (!v->polled || v->model.graph_gen != v->seen_graph || v->model.data_gen != v->seen_data)
        v->dirty = TUI_DIRTY_ALL;
    if (v->follow && !v->pinned)
        for (int i = 0; i < v->model.n_stages; i++)
            if (v->model.stages[i].state == TUI_STAGE_RUNNING) select_stage(v, i);
    /* the inspector follows the newest step, and the selection */
    if (v->screen == TUI_SCREEN_INSPECT) {
        if (v->inspect.stage != v->selected) { /* another stage: follow its newest step */
            v->inspect.live = true;
            inspect_fetch(v, TUI_STEP_NEWEST, 0);
        } else if (v->inspect.live && v->model.data_gen != v->seen_data) {
            inspect_fetch(v, TUI_STEP_NEWEST, 0);
        }
    }
    v->polled = true;
    v->seen_graph = v->model.graph_gen;
    v->seen_data = v->model.data_gen;
}

static void request_quit(TuiView *v) {
    v->quit = true;
    send(v, TUI_CMD_QUIT, -1);
}

void tui_view_key(TuiView *v, TuiKey k) {
    int n = v->model.n_stages;
    if (k.key == TUI_KEY_NONE) return;
    if (k.key == TUI_KEY_RESIZE) return; /* the caller measures and resizes */
    /* the key bar's hint follows help, confirm and editing: redraw it too */
    v->dirty |= TUI_DIRTY_MAIN | TUI_DIRTY_STATUS;
    if (v->help) { /* any key closes help, and does nothing else */
        v->help = false;
        return;
    }
    if (v->confirm) {
        if (k.key == 'y' || k.key == 'Y' || k.key == 'q')
            request_quit(v);
        else if (k.key == 'n' || k.key == 'N' || k.key == TUI_KEY_ESC)
            v->confirm = false;
        return;
    }
    if (v->w < TUI_MIN_COLS || v->h < TUI_MIN_ROWS) {
        if (k.key == 'q') request_quit(v);
        return;
    }
    if (v->screen == TUI_SCREEN_INSPECT) {
        TuiInspect *in = &v->inspect;
        TuiInspectAction a = tui_inspect_key(in, k);
        long at = in->have ? in->trace.step : 0;
        switch (a) {
        case TUI_INSPECT_PREV:
        case TUI_INSPECT_NEXT:
            if (!in->have) return; /* nothing to step from: keep waiting for one */
            in->live = false;      /* stepping through the record stops following */
            inspect_fetch(v, at, a == TUI_INSPECT_PREV ? -1 : 1);
            return;
        case TUI_INSPECT_NEWEST:
            inspect_fetch(v, TUI_STEP_NEWEST, 0);
            return;
        case TUI_INSPECT_MOVED:
            in->msg[0] = 0; /* a refusal said once is enough */
            return;
        case TUI_INSPECT_IGNORED:
            break;
        }
        /* the cursor keys are the inspector's even with nothing to move */
        if (k.key == TUI_KEY_UP || k.key == TUI_KEY_DOWN || k.key == TUI_KEY_LEFT ||
            k.key == TUI_KEY_RIGHT || k.key == TUI_KEY_MOUSE)
            return;
        if (k.key == TUI_KEY_ESC) {
            v->screen = TUI_SCREEN_DETAIL;
            tui_optedit_reset(&v->edit);
            return;
        }
    }
    if (v->screen == TUI_SCREEN_DETAIL) {
        TuiEditResult r = tui_optedit_key(&v->edit, &v->model, k);
        if (r == TUI_EDIT_COMMIT) {
            TuiCommand c = {.kind = TUI_CMD_SET_OPTION, .stage = v->selected};
            snprintf(c.name, sizeof c.name, "%s", v->model.options[v->edit.cursor].name);
            snprintf(c.value, sizeof c.value, "%s", v->edit.buf);
            if (v->src.command) v->src.command(v->src.ctx, c);
        }
        if (r != TUI_EDIT_IGNORED) {
            v->dirty |= TUI_DIRTY_STATUS;
            return;
        }
    }
    switch (k.key) {
    case ' ':
        send(v, v->model.paused ? TUI_CMD_RUN : TUI_CMD_PAUSE, -1);
        break;
    case 'n':
        send(v, TUI_CMD_STEP, -1);
        break;
    case 'e':
        send(v, TUI_CMD_EVAL, -1);
        v->screen = TUI_SCREEN_EVAL;
        break;
    case 'p': /* read from the same files as the eval table */
        send(v, TUI_CMD_EVAL, -1);
        v->screen = TUI_SCREEN_CURVES;
        break;
    case 't':
        v->screen = TUI_SCREEN_TIME;
        break;
    case 'i':
        inspect_open(v);
        break;
    case 'r': /* in the detail: the script's options again, before the stage runs */
        if (v->screen == TUI_SCREEN_DETAIL) send(v, TUI_CMD_RESET_OPTIONS, v->selected);
        break;
    case '?':
        v->help = true;
        break;
    case 'q':
        if (tui_model_busy(&v->model))
            v->confirm = true;
        else
            request_quit(v);
        break;
    case TUI_KEY_ESC:
        v->screen = TUI_SCREEN_FLOW;
        break;
    case TUI_KEY_ENTER: /* in the detail only when no option can be edited */
        v->screen = v->screen == TUI_SCREEN_DETAIL ? TUI_SCREEN_FLOW : TUI_SCREEN_DETAIL;
        if (v->screen == TUI_SCREEN_DETAIL) tui_optedit_reset(&v->edit);
        break;
    case TUI_KEY_TAB:
        if (n) user_select(v, (v->selected + 1) % n);
        break;
    case TUI_KEY_BTAB:
        if (n) user_select(v, (v->selected + n - 1) % n);
        break;
    case TUI_KEY_UP:
    case TUI_KEY_DOWN:
    case TUI_KEY_LEFT:
    case TUI_KEY_RIGHT: {
        if (!v->have_layout) break;
        int dx = k.key == TUI_KEY_LEFT ? -1 : k.key == TUI_KEY_RIGHT ? 1 : 0;
        int dy = k.key == TUI_KEY_UP ? -1 : k.key == TUI_KEY_DOWN ? 1 : 0;
        user_select(v, tui_layout_neighbor(&v->layout, v->selected, dx, dy));
        break;
    }
    case TUI_KEY_MOUSE: {
        if (v->screen != TUI_SCREEN_FLOW || !v->have_layout) break;
        TuiRect f = v->flow;
        if (k.x < f.x || k.y < f.y || k.x >= f.x + f.w || k.y >= f.y + f.h) break;
        int hit = tui_layout_hit(&v->layout, k.x - f.x + v->sx, k.y - f.y + v->sy);
        if (hit >= 0 && hit == v->selected) { /* a click on the selection opens it */
            v->screen = TUI_SCREEN_DETAIL;
            tui_optedit_reset(&v->edit);
        } else
            user_select(v, hit);
        break;
    }
    default:
        v->dirty &= ~(unsigned)TUI_DIRTY_MAIN;
        break;
    }
    v->dirty |= TUI_DIRTY_STATUS;
}

static void ensure_layout(TuiView *v, int w, int h) {
    if (v->have_layout && v->layout_gen == v->model.graph_gen && v->layout_w == w &&
        v->layout_h == h)
        return;
    if (v->have_layout) tui_layout_free(&v->layout);
    v->have_layout = tui_flowchart_layout(&v->layout, &v->model, h, w) == 0;
    v->layout_gen = v->model.graph_gen;
    v->layout_w = w;
    v->layout_h = h;
}

static void draw_flow(TuiView *v, TuiCanvas *c, TuiRect f) {
    v->flow = f;
    ensure_layout(v, f.w, f.h);
    if (!v->have_layout) return;
    if (!v->model.n_stages) {
        tui_canvas_text(c, f.x + 2, f.y + 1, "no stages yet", f.w - 4, TUI_ROLE_DIM, 0);
        return;
    }
    tui_layout_scroll_to(&v->layout, v->selected, f.w, f.h, &v->sx, &v->sy);
    tui_canvas_clip(c, f.x, f.y, f.w, f.h);
    tui_flowchart_draw(c, &v->layout, &v->model, f.x - v->sx, f.y - v->sy);
    /* what is scrolled out of view is hinted at the edges */
    const TuiGlyphs *g = c->g;
    if (v->sy > 0) tui_canvas_put(c, f.x + f.w - 1, f.y, g->arrow_up, TUI_ROLE_DIM, 0);
    if (v->sy + f.h < v->layout.canvas_h)
        tui_canvas_put(c, f.x + f.w - 1, f.y + f.h - 1, g->arrow_down, TUI_ROLE_DIM, 0);
    if (v->sx > 0) tui_canvas_put(c, f.x, f.y + f.h - 1, g->arrow_left, TUI_ROLE_DIM, 0);
    if (v->sx + f.w < v->layout.canvas_w)
        tui_canvas_put(c, f.x + f.w - 2, f.y + f.h - 1, g->arrow_right, TUI_ROLE_DIM, 0);
    tui_canvas_unclip(c);
}

static void draw_side(TuiView *v, TuiCanvas *c, TuiRect r) {
    const TuiModel *m = &v->model;
    const char *name = v->selected < m->n_stages ? m->stages[v->selected].name : "";
    tui_draw_frame(c, r, name, TUI_ROLE_BORDER);
    TuiRect in = {r.x + 1, r.y + 1, r.w - 2, r.h - 2};
    int sample_h = in.h / 3 < 8 ? in.h / 3 : 8;
    tui_draw_charts(c, (TuiRect){in.x, in.y, in.w, in.h - sample_h - 1}, m);
    tui_canvas_line(c, r.x, in.y + in.h - sample_h - 1, r.x + r.w - 1, in.y + in.h - sample_h - 1,
                    TUI_ROLE_BORDER);
    tui_draw_sample(c, (TuiRect){in.x, in.y + in.h - sample_h, in.w, sample_h}, m);
}

static const char *hint(const TuiView *v) {
    if (v->confirm) return " y quit  n stay";
    switch (v->screen) {
    case TUI_SCREEN_DETAIL:
        if (v->edit.editing) return " type the value  enter set  esc cancel  ctrl-u clear";
        if (v->model.options_editable && v->model.n_options)
            return " up/down option  enter edit  r reset  esc back  tab other stage  i inspect  "
                   "? help";
        return " esc back  tab/arrows other stage  space run/pause  n step  i inspect  ? help  q "
               "quit";
    case TUI_SCREEN_EVAL:
        return " esc back  e refresh  p pass@k curves  ? help  q quit";
    case TUI_SCREEN_CURVES:
        return " esc back  p refresh  e eval table  ? help  q quit";
    case TUI_SCREEN_TIME:
        return " esc back  e eval table  space run/pause  ? help  q quit";
    case TUI_SCREEN_INSPECT:
        return " arrows token/completion  [ ] prompt  , . step  l live  u pass  tab stage  esc "
               "back  ? help";
    default:
        return " space run/pause  n step  arrows select  enter detail  e eval  t time  ? help  q "
               "quit";
    }
}

void tui_view_dirty_rows(const TuiView *v, unsigned dirty, int *y0, int *y1) {
    int a = v->h, b = 0;
    if (v->w < TUI_MIN_COLS || v->h < TUI_MIN_ROWS) dirty = dirty ? TUI_DIRTY_ALL : 0;
    if (dirty & TUI_DIRTY_STATUS) a = 0, b = v->h; /* status and key bars are the two ends */
    if (dirty & TUI_DIRTY_MAIN) a = a < 1 ? a : 1, b = b > v->h - 2 ? b : v->h - 2;
    if (dirty & TUI_DIRTY_LOG) a = a < v->h - 2 ? a : v->h - 2, b = b > v->h - 1 ? b : v->h - 1;
    *y0 = a;
    *y1 = b;
}

unsigned tui_view_render(TuiView *v, TuiCanvas *c) {
    unsigned d = v->dirty;
    v->dirty = 0;
    if (!d) return 0;
    int w = c->w, h = c->h;
    if (w < TUI_MIN_COLS || h < TUI_MIN_ROWS) {
        tui_draw_too_small(c, w, h, TUI_MIN_COLS, TUI_MIN_ROWS);
        return TUI_DIRTY_ALL;
    }
    const TuiModel *m = &v->model;
    if (d & TUI_DIRTY_STATUS) {
        tui_draw_status(c, 0, w, m, v->selected);
        tui_draw_keybar(c, h - 1, w, hint(v));
    }
    if (d & TUI_DIRTY_LOG) tui_draw_log(c, h - 2, w, m->log);
    if (d & TUI_DIRTY_MAIN) {
        TuiRect main = {0, 1, w, h - 3};
        tui_canvas_fill(c, main.x, main.y, main.w, main.h, ' ', TUI_ROLE_DEFAULT);
        if (v->screen == TUI_SCREEN_DETAIL) {
            tui_draw_detail(c, main, m, v->selected, &v->edit);
        } else if (v->screen == TUI_SCREEN_EVAL) {
            tui_draw_eval(c, main, m);
        } else if (v->screen == TUI_SCREEN_CURVES) {
            tui_draw_curves(c, main, m);
        } else if (v->screen == TUI_SCREEN_TIME) {
            tui_draw_time(c, main, m);
        } else if (v->screen == TUI_SCREEN_INSPECT) {
            v->inspect.mono = v->mono;
            const char *name = v->selected < m->n_stages ? m->stages[v->selected].name : "";
            tui_draw_inspect(c, main, &v->inspect, name);
        } else {
            int side = w >= TUI_SIDE_MIN_COLS ? (w / 3 > 34 ? w / 3 : 34) : 0;
            draw_flow(v, c, (TuiRect){0, main.y, w - side, main.h});
            if (side) draw_side(v, c, (TuiRect){w - side, main.y, side, main.h});
        }
        if (v->help) tui_draw_help(c, w, h);
        if (v->confirm)
            tui_draw_confirm(c, w, h, "a stage is running; quit now? (progress is kept)");
    }
    return d;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

int tui_view_run(TuiSource src, const TuiTermOptions *opt, char *err, size_t errcap) {
    TuiTermInfo info;
    if (tui_term_open(opt, &info, err, errcap)) return -1;
    TuiView *v = malloc(sizeof *v);
    TuiCanvas c;
    int w, h, rc = 0;
    tui_term_size(&w, &h);
    if (!v || tui_canvas_init(&c, w, h, info.glyphs)) {
        free(v);
        tui_term_close();
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    tui_view_init(v, src);
    v->mono = !info.color;
    v->follow = true;
    tui_view_resize(v, w, h);
    send(v, TUI_CMD_SELECT, 0);
    /* Key latency, measured rather than assumed: key read -> its frame shown. */
    const char *klp = getenv("R1SIM_KEYLOG");
    FILE *keylog = klp && klp[0] ? fopen(klp, "a") : NULL;
    double key_at = -1;
    int key_seen = 0;
    while (!v->quit) {
        if (tui_term_quit_requested) { /* Ctrl-C: the user already decided */
            request_quit(v);
            break;
        }
        tui_view_poll(v);
        unsigned d = tui_view_render(v, &c);
        if (d) {
            int y0, y1;
            tui_view_dirty_rows(v, d, &y0, &y1);
            tui_term_blit(&c, y0, y1);
        }
        if (keylog && key_at >= 0) {
            fprintf(keylog, "key %d %.3f ms%s\n", key_seen, now_ms() - key_at,
                    tui_model_busy(&v->model) ? " busy" : "");
            fflush(keylog);
            key_at = -1;
        }
        /* 50 ms: keys are answered well within 100 ms, and the snapshot rate
         * (20 Hz) is as fast as anyone reads a chart */
        TuiKey k = tui_term_key(50);
        if (k.key == TUI_KEY_RESIZE) {
            tui_term_size(&w, &h);
            if (tui_canvas_resize(&c, w, h)) {
                rc = -1;
                snprintf(err, errcap, "out of memory");
                request_quit(v);
                break;
            }
            tui_view_resize(v, w, h);
        }
        if (keylog && k.key != TUI_KEY_NONE && k.key != TUI_KEY_RESIZE) {
            key_at = now_ms();
            key_seen = k.key;
        }
        tui_view_key(v, k);
    }
    if (keylog) fclose(keylog);
    tui_term_close();
    tui_canvas_free(&c);
    tui_view_free(v);
    free(v);
    return rc;
}
