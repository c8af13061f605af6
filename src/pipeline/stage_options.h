#ifndef R1SIM_PIPELINE_STAGE_OPTIONS_H
#define R1SIM_PIPELINE_STAGE_OPTIONS_H

/* What the kinds' option tables share: an option's default read from the
 * trainer's *_defaults() (so it is written once, in src/train), the copy of
 * option values into the trainer's config, and the value checks more than
 * one kind uses. */

#include <stddef.h>

#include "pipeline/graph.h"

/* Starts config from the kind's defaults and copies every option that has a
 * field into it. String fields point into the stage's option text. */
void stage_options_fill(const Stage *st, void *config);

const char *stage_check_task(const char *v);
const char *stage_check_task_or_empty(const char *v);
const char *stage_check_task_list(const char *v);

#define OPT_FIELD(type, cfg, member) .field = (type), .offset = offsetof(cfg, member)
#define OPT_END                                                                                    \
    { NULL, 0, NULL, 0, 0, NULL, NULL, FIELD_NONE, 0 }

#endif
