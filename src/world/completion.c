#include "world/completion.h"

#include <string.h>

#include "world/tokenizer.h"

static int starts(const char *s, const char *end, const char *tag) {
    size_t n = strlen(tag);
    return (size_t)(end - s) >= n && memcmp(s, tag, n) == 0;
}

/* First occurrence of tag in [s, end), or NULL. */
static const char *find(const char *s, const char *end, const char *tag) {
    for (; s < end; s++)
        if (starts(s, end, tag)) return s;
    return NULL;
}

/* First special token in [s, end), or end. */
static const char *next_special(const char *s, const char *end) {
    for (; s < end; s++) {
        if (*s != '<') continue;
        for (int id = 0; id < TOK_NUM_SPECIAL; id++)
            if (starts(s, end, tok_text(id))) return s;
    }
    return end;
}

static int has_special(const char *s, const char *end) {
    return next_special(s, end) != end;
}

int completion_parse(const char *completion, CompletionParts *out) {
    const char *s = completion, *end = completion + strlen(completion);
    memset(out, 0, sizeof *out);
    if (starts(s, end, "<think>")) s += strlen("<think>");

    const char *think_end = find(s, end, "</think>");
    const char *after = think_end ? think_end + strlen("</think>") : NULL;
    const char *open = find(after ? after : s, end, "<answer>");
    const char *body = open ? open + strlen("<answer>") : NULL;
    const char *close = body ? find(body, end, "</answer>") : NULL;

    out->thought = s;
    out->think_closed = think_end != NULL;
    out->thought_len = (size_t)((think_end ? think_end : open ? open : end) - s);
    /* An answer without its box still counts for accuracy (see the header). */
    const char *ans = body ? body : after;
    if (ans) {
        const char *stop = close ? close : next_special(ans, end);
        if (!close) {
            while (ans < stop && (*ans == ' ' || *ans == '\n')) ans++;
            while (stop > ans && (stop[-1] == ' ' || stop[-1] == '\n')) stop--;
        }
        out->answer = ans;
        out->answer_len = (size_t)(stop - ans);
    }

    if (!think_end || !close || has_special(s, think_end)) return 0;
    const char *p = after;
    while (p < end && (*p == ' ' || *p == '\n')) p++;
    if (p != open || close == body || has_special(body, close)) return 0;
    p = close + strlen("</answer>");
    if (starts(p, end, "<eos>")) p += strlen("<eos>");
    while (starts(p, end, "<pad>")) p += strlen("<pad>");
    out->well_formed = p == end;
    return out->well_formed;
}

int completion_thought_is_empty(const CompletionParts *p) {
    for (size_t i = 0; i < p->thought_len; i++)
        if (p->thought[i] != ' ' && p->thought[i] != '\n') return 0;
    return 1;
}

static int is_word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

double completion_script_share(const char *text, size_t len, WorldScript script, int *n_counted) {
    int in = 0, total = 0;
    for (size_t i = 0; i < len;) {
        if (!is_word_char(text[i])) {
            i++;
            continue;
        }
        size_t j = i;
        int numeric = 1;
        while (j < len && is_word_char(text[j])) {
            if (cipher_char_digit(text[j], NULL) < 0) numeric = 0;
            j++;
        }
        if (numeric) {
            for (size_t k = i; k < j; k++) {
                WorldScript s;
                cipher_char_digit(text[k], &s);
                in += s == script;
                total++;
            }
        }
        i = j;
    }
    if (n_counted) *n_counted = total;
    return total ? (double)in / total : 1.0;
}

static int is_letter(char c) {
    return c >= 'a' && c <= 'z';
}

int completion_count_word(const char *text, size_t len, const char *word) {
    size_t n = strlen(word);
    int count = 0;
    if (n == 0) return 0;
    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp(text + i, word, n) != 0) continue;
        if (i > 0 && is_letter(text[i - 1])) continue;
        if (i + n < len && is_letter(text[i + n])) continue;
        count++;
    }
    return count;
}

static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

typedef struct {
    const char *text;
    size_t len, at; /* at: where the next word's search starts */
    const char *word;
    size_t word_len;
} WordCursor;

/* Moves to the next word; 0 at the end of the text. */
static int next_word(WordCursor *w) {
    size_t i = w->at;
    while (i < w->len && is_space(w->text[i])) i++;
    if (i == w->len) return 0;
    size_t j = i;
    while (j < w->len && !is_space(w->text[j])) j++;
    w->word = w->text + i;
    w->word_len = j - i;
    w->at = j;
    return 1;
}

/* Words j .. j+n(r-1)-1 each equal to the word n further on is exactly an
 * n-gram repeated r times, so one pass with two cursors n words apart finds
 * it without storing the words. */
int completion_repeated_ngram_run(const char *text, size_t len, int n, int min_repeats) {
    if (n < 1 || min_repeats < 2) return 0;
    WordCursor a = {.text = text, .len = len}, b = a;
    for (int i = 0; i < n; i++)
        if (!next_word(&b)) return 0;
    const long need = (long)n * (min_repeats - 1);
    long run = 0;
    while (next_word(&b)) {
        next_word(&a);
        int same = a.word_len == b.word_len && memcmp(a.word, b.word, a.word_len) == 0;
        run = same ? run + 1 : 0;
        if (run >= need) return 1;
    }
    return 0;
}

int completion_repeated_trigram_run(const char *thought, size_t len, int min_repeats) {
    return completion_repeated_ngram_run(thought, len, 3, min_repeats);
}
