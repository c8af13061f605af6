#ifndef R1SIM_PIPELINE_STAGE_OPTIONS_H
#define R1SIM_PIPELINE_STAGE_OPTIONS_H

/* What the kinds' option tables share: an option's default read from the
 * trainer's *_defaults() (so it is written once, in src/train), the copy of
 * option values into the trainer's config, and the value checks more than
 * one kind uses. */

#include <stddef.h>

#include "pipeline/graph.h"

/* The option's default as text: o->def, or its config field's value in the
 * kind's defaults, in the one spelling stage_set_opt gives numbers. */
void stage_option_default(const StageKind *k, const OptSpec *o, char *buf, size_t cap);

/* Starts config from the kind's defaults and copies every option that has a
 * field into it. String fields point into the stage's option text. */
void stage_options_fill(const Stage *st, void *config);

/* The shortest text that reads back as v (as a double, or as a float when
 * as_float), so that equal values give equal cache keys. */
void stage_format_number(double v, int as_float, char *buf, size_t cap);

const char *stage_check_task(const char *v);
const char *stage_check_task_or_empty(const char *v);
const char *stage_check_task_list(const char *v);

#define OPT_FIELD(type, cfg, member) .field = (type), .offset = offsetof(cfg, member)
#define OPT_END                                                                                    \
    { NULL, 0, NULL, 0, 0, NULL, NULL, FIELD_NONE, 0 }

#endif
