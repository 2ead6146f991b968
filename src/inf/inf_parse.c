/*
 * inf_parse.c - the generic INF syntax: sections, lines, keys and values.
 *
 * The decoded text (inf_text.c) is read in three passes:
 *
 *  1. Logical lines. A ';' outside quotes starts a comment; a '\' that is the
 *     last non-blank character (after removing the comment) joins the next
 *     physical line; a quote must close on its own physical line. A line
 *     starting with '[' is a section header "[name]" (blanks around the name
 *     are dropped, nothing may follow the ']'). Other lines are split into an
 *     optional key (before the first '=' outside quotes, when no ',' came
 *     first) and comma-separated values. Quoted text is kept verbatim ("" is
 *     one quote), unquoted blanks around a value are dropped. In [Strings]
 *     and [Strings.<langid>] sections commas are not separators and '%' is
 *     plain text: the value is everything after the '='.
 *  2. %strkey% substitution in the keys and values of every other section:
 *     %% is a literal '%', %<digits>% (a DIRID such as %13%) stays as
 *     written, any other %name% must be a key of [Strings.0409] or
 *     [Strings] (the first definition wins), else the file is refused.
 *     Substituted text is not scanned again.
 *  3. Per-section arrays of lines, duplicate sections merged in file order.
 *
 * No recursion; memory is bounded by INF_MAX_FILE_SIZE, INF_MAX_LINE,
 * INF_MAX_VALUE and INF_MAX_EXPANDED.
 */
#include "inf/inf_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct inf_file {
    const char *name;
    struct inf_arena arena;
    size_t nsections;
    struct inf_section *sections;
    struct inf_map section_map; /* name -> index */
};

struct sec_tmp {
    const char *name;
    unsigned lineno;
    size_t nlines;
    bool strings; /* a [Strings] or [Strings.xxx] section */
};

struct parser {
    const char *name;
    struct inf_error *err;
    struct inf_file *inf;
    const char *buf;
    size_t len, pos;
    unsigned lineno;      /* physical line at pos */
    unsigned line_start;  /* first physical line of the logical line being read */
    struct inf_line *lines;
    size_t *line_sec;     /* section index of each line */
    size_t nlines, cap_lines, cap_sec_idx;
    struct sec_tmp *secs;
    size_t nsecs, cap_secs;
    size_t cur_sec;       /* SIZE_MAX before the first header */
    size_t expanded;      /* bytes produced by %strkey% substitution */
    struct inf_map strings;
    char raw[INF_MAX_LINE + 1];
    size_t rawlen;
    char fld[INF_MAX_LINE + 1];     /* fields, NUL-separated */
    size_t fstart[INF_MAX_LINE + 2];
    char expand[INF_MAX_VALUE + 1];
};

static int fail(struct parser *p, unsigned line, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(struct parser *p, unsigned line, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    inf_vfail(p->err, p->name, line, rc, fmt, ap);
    va_end(ap);
    return rc;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_strings_section(const char *name)
{
    return inf_streq(name, "Strings") ||
           (strlen(name) > 8 && inf_strneq(name, "Strings.", 8));
}

/* ---- pass 1: logical lines ------------------------------------------------------ */

static int oom(struct parser *p)
{
    return fail(p, 0, -ENOMEM, "out of memory");
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 64;
    if (ncap > SIZE_MAX / size)
        return -ENOMEM;
    void *nv = realloc(*v, ncap * size);
    if (!nv)
        return -ENOMEM;
    *v = nv;
    *cap = ncap;
    return 0;
}

/* Appends the physical line at pos, without its comment, to raw. */
static int read_physical(struct parser *p, bool *continued)
{
    unsigned line = p->lineno;
    size_t seg = p->rawlen;
    bool inq = false, comment = false;
    while (p->pos < p->len && p->buf[p->pos] != '\n') {
        char c = p->buf[p->pos++];
        if (comment)
            continue;
        if (!inq && c == ';') {
            comment = true;
            continue;
        }
        if (c == '"')
            inq = !inq;
        if (p->rawlen == INF_MAX_LINE)
            return fail(p, p->line_start, -EINVAL, "line longer than %u bytes", INF_MAX_LINE);
        p->raw[p->rawlen++] = c;
    }
    if (p->pos < p->len)
        p->pos++; /* the '\n' */
    p->lineno++;
    if (inq)
        return fail(p, line, -EINVAL, "unterminated quote");
    while (p->rawlen > seg && is_blank(p->raw[p->rawlen - 1]))
        p->rawlen--;
    *continued = p->rawlen > seg && p->raw[p->rawlen - 1] == '\\';
    if (*continued)
        p->rawlen--;
    return 0;
}

/* 1: raw holds a non-empty logical line; 0: end of input; <0: error. */
static int read_logical(struct parser *p)
{
    while (p->pos < p->len) {
        bool cont;
        p->rawlen = 0;
        p->line_start = p->lineno;
        int rc = read_physical(p, &cont);
        while (!rc && cont) {
            if (p->pos >= p->len)
                return fail(p, p->lineno - 1, -EINVAL, "line continuation at end of file");
            rc = read_physical(p, &cont);
        }
        if (rc)
            return rc;
        size_t lead = 0;
        while (lead < p->rawlen && is_blank(p->raw[lead]))
            lead++;
        if (lead == p->rawlen)
            continue; /* blank or comment only */
        memmove(p->raw, p->raw + lead, p->rawlen - lead);
        p->rawlen -= lead;
        p->raw[p->rawlen] = '\0';
        return 1;
    }
    return 0;
}

static int add_section(struct parser *p, const char *name, size_t n, unsigned line)
{
    size_t idx;
    if (inf_map_getn(&p->inf->section_map, name, n, &idx)) {
        p->cur_sec = idx;
        return 0;
    }
    char *nm = inf_arena_strndup(&p->inf->arena, name, n);
    if (!nm || grow((void **)&p->secs, &p->cap_secs, p->nsecs, sizeof(*p->secs)) ||
        inf_map_put(&p->inf->section_map, nm, p->nsecs) < 0)
        return oom(p);
    p->secs[p->nsecs] = (struct sec_tmp){nm, line, 0, is_strings_section(nm)};
    p->cur_sec = p->nsecs++;
    return 0;
}

static int parse_header(struct parser *p)
{
    const char *close = memchr(p->raw, ']', p->rawlen);
    if (!close)
        return fail(p, p->line_start, -EINVAL, "section header without closing ']'");
    if (close + 1 != p->raw + p->rawlen)
        return fail(p, p->line_start, -EINVAL, "text after the ']' of a section header");
    const char *b = p->raw + 1, *e = close;
    while (b < e && is_blank(*b))
        b++;
    while (e > b && is_blank(e[-1]))
        e--;
    if (b == e)
        return fail(p, p->line_start, -EINVAL, "empty section name");
    return add_section(p, b, (size_t)(e - b), p->line_start);
}

/*
 * Splits raw into fields in fld (NUL-separated, offsets in fstart). Returns
 * the number of fields, the key being the first one when *has_key. Output
 * never outgrows the input: every consumed byte yields at most one byte.
 */
static size_t split_fields(struct parser *p, bool strings, bool *has_key, size_t *used)
{
    const char *s = p->raw;
    size_t n = p->rawlen, out = 0, nf = 0, keep = 0;
    bool started = false, key = false, values = false;

    p->fstart[0] = 0;
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if (c == '"') {
            for (i++; i < n;) {
                if (s[i] == '"') {
                    if (i + 1 < n && s[i + 1] == '"') {
                        p->fld[out++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                p->fld[out++] = s[i++];
            }
            started = true;
            keep = out;
            values |= key;
            continue;
        }
        if ((c == ',' && !strings) || (c == '=' && !key && nf == 0)) {
            p->fld[keep] = '\0';
            out = keep + 1;
            p->fstart[++nf] = out;
            keep = out;
            started = false;
            if (c == '=')
                key = true;
            else
                values |= key;
            i++;
            continue;
        }
        i++;
        if (is_blank(c) && !started)
            continue;
        p->fld[out++] = c;
        if (!is_blank(c)) {
            keep = out;
            started = true;
            values |= key;
        }
    }
    p->fld[keep] = '\0';
    *used = keep + 1;
    *has_key = key;
    return key && !values ? 1 : nf + 1;
}

static int add_line(struct parser *p)
{
    if (p->cur_sec == SIZE_MAX)
        return fail(p, p->line_start, -EINVAL, "text before the first section");
    struct sec_tmp *sec = &p->secs[p->cur_sec];
    bool key;
    size_t used;
    size_t nf = split_fields(p, sec->strings, &key, &used);
    if (sec->strings && !key)
        return fail(p, p->line_start, -EINVAL, "line without '=' in [%s]", sec->name);

    struct inf_arena *a = &p->inf->arena;
    const char **f = inf_arena_alloc(a, nf * sizeof(*f));
    char *text = inf_arena_strndup(a, p->fld, used - 1); /* all fields, NUL-separated */
    char *raw = inf_arena_strndup(a, p->raw, p->rawlen);
    if (!f || !text || !raw || grow((void **)&p->lines, &p->cap_lines, p->nlines, sizeof(*p->lines)) ||
        grow((void **)&p->line_sec, &p->cap_sec_idx, p->nlines, sizeof(*p->line_sec)))
        return oom(p);
    for (size_t i = 0; i < nf; i++)
        f[i] = text + p->fstart[i];
    p->lines[p->nlines] = (struct inf_line){
        .lineno = p->line_start,
        .key = key ? f[0] : NULL,
        .nvalues = nf - (key ? 1 : 0),
        .values = f + (key ? 1 : 0),
        .raw = raw,
    };
    p->line_sec[p->nlines++] = p->cur_sec;
    sec->nlines++;
    return 0;
}

static int pass_lines(struct parser *p)
{
    int rc;
    while ((rc = read_logical(p)) > 0) {
        rc = p->raw[0] == '[' ? parse_header(p) : add_line(p);
        if (rc)
            return rc;
    }
    return rc;
}

/* ---- pass 2: %strkey% substitution --------------------------------------------------- */

static int build_strings(struct parser *p)
{
    size_t want[2] = {SIZE_MAX, SIZE_MAX};
    inf_map_get(&p->inf->section_map, "Strings." INF_STRINGS_LOCALE, &want[0]);
    inf_map_get(&p->inf->section_map, "Strings", &want[1]);
    for (int w = 0; w < 2; w++) {
        if (want[w] == SIZE_MAX)
            continue;
        for (size_t i = 0; i < p->nlines; i++)
            if (p->line_sec[i] == want[w] && inf_map_put(&p->strings, p->lines[i].key, i) < 0)
                return oom(p);
    }
    return 0;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int expand(struct parser *p, unsigned line, const char **s)
{
    const char *in = *s, *q = in;
    if (!strchr(in, '%'))
        return 0;
    size_t o = 0;
    while (*q) {
        const char *piece = q;
        size_t plen;
        if (*q != '%') {
            const char *pct = strchr(q, '%');
            plen = pct ? (size_t)(pct - q) : strlen(q);
            q += plen;
        } else {
            const char *end = strchr(q + 1, '%');
            if (!end)
                return fail(p, line, -EINVAL, "unterminated %%strkey%% in \"%s\"", in);
            size_t klen = (size_t)(end - q - 1);
            size_t idx;
            if (klen == 0) {
                plen = 1; /* %% */
            } else if (all_digits(q + 1, klen)) {
                plen = klen + 2; /* %13%: a DIRID, kept for the consumer */
            } else if (inf_map_getn(&p->strings, q + 1, klen, &idx)) {
                const struct inf_line *sl = &p->lines[idx];
                piece = sl->nvalues ? sl->values[0] : "";
                plen = strlen(piece);
            } else {
                return fail(p, line, -EINVAL, "unknown string key %%%.*s%%",
                            klen > 200 ? 200 : (int)klen, q + 1);
            }
            q = end + 1;
        }
        if (plen > INF_MAX_VALUE - o)
            return fail(p, line, -EINVAL, "value longer than %u bytes after %%strkey%% substitution",
                        INF_MAX_VALUE);
        memcpy(p->expand + o, piece, plen);
        o += plen;
    }
    if (o > INF_MAX_EXPANDED - p->expanded)
        return fail(p, line, -EFBIG, "more than %u bytes of text after %%strkey%% substitution",
                    INF_MAX_EXPANDED);
    p->expanded += o;
    if (!(*s = inf_arena_strndup(&p->inf->arena, p->expand, o)))
        return oom(p);
    return 0;
}

static int pass_substitute(struct parser *p)
{
    int rc = build_strings(p);
    for (size_t i = 0; !rc && i < p->nlines; i++) {
        if (p->secs[p->line_sec[i]].strings)
            continue;
        struct inf_line *l = &p->lines[i];
        if (l->key)
            rc = expand(p, l->lineno, &l->key);
        for (size_t v = 0; !rc && v < l->nvalues; v++)
            rc = expand(p, l->lineno, &l->values[v]);
    }
    return rc;
}

/* ---- pass 3: per-section arrays --------------------------------------------------------- */

static int pass_sections(struct parser *p)
{
    struct inf_file *inf = p->inf;
    if (!p->nsecs)
        return 0;
    inf->sections = inf_arena_alloc(&inf->arena, p->nsecs * sizeof(*inf->sections));
    if (!inf->sections)
        return oom(p);
    for (size_t s = 0; s < p->nsecs; s++) {
        struct inf_section *sec = &inf->sections[s];
        sec->name = p->secs[s].name;
        sec->lineno = p->secs[s].lineno;
        sec->index = s;
        if (p->secs[s].nlines) {
            sec->lines = inf_arena_alloc(&inf->arena, p->secs[s].nlines * sizeof(*sec->lines));
            if (!sec->lines)
                return oom(p);
        }
    }
    for (size_t i = 0; i < p->nlines; i++) {
        struct inf_section *sec = &inf->sections[p->line_sec[i]];
        ((struct inf_line *)sec->lines)[sec->nlines++] = p->lines[i];
    }
    inf->nsections = p->nsecs;
    return 0;
}

/* ---- entry points ---------------------------------------------------------------------- */

int inf_parse_buffer(const char *name, const void *data, size_t len, struct inf_file **out,
                     struct inf_error *err)
{
    *out = NULL;
    if (!name)
        name = "<buffer>";
    if (!data && len)
        return inf_fail(err, name, 0, -EINVAL, "no data");

    char *text;
    size_t tlen;
    int rc = inf_text_decode(name, data, len, &text, &tlen, err);
    if (rc)
        return rc;

    struct inf_file *inf = calloc(1, sizeof(*inf));
    struct parser *p = calloc(1, sizeof(*p));
    if (!inf || !p || !(inf->name = inf_arena_strdup(&inf->arena, name))) {
        rc = inf_fail(err, name, 0, -ENOMEM, "out of memory");
        goto out;
    }
    p->name = inf->name;
    p->err = err;
    p->inf = inf;
    p->buf = text;
    p->len = tlen;
    p->lineno = 1;
    p->cur_sec = SIZE_MAX;

    rc = pass_lines(p);
    if (!rc)
        rc = pass_substitute(p);
    if (!rc)
        rc = pass_sections(p);

out:
    if (p) {
        free(p->lines);
        free(p->line_sec);
        free(p->secs);
        inf_map_free(&p->strings);
        free(p);
    }
    free(text);
    if (rc) {
        inf_free(inf);
        return rc;
    }
    *out = inf;
    return 0;
}

static const char *errno_text(int e, char *buf, size_t n)
{
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
    return strerror_r(e, buf, n);
#else
    if (strerror_r(e, buf, n))
        snprintf(buf, n, "error %d", e);
    return buf;
#endif
}

int inf_parse_file(const char *path, struct inf_file **out, struct inf_error *err)
{
    char eb[128];
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return inf_fail(err, path, 0, -e, "cannot open: %s", errno_text(e, eb, sizeof(eb)));
    }
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        return inf_fail(err, path, 0, -EINVAL, "not a regular file");
    }
    if (st.st_size > (off_t)INF_MAX_FILE_SIZE) {
        close(fd);
        return inf_fail(err, path, 0, -EFBIG, "file too big: %lld bytes, the limit is %u",
                        (long long)st.st_size, INF_MAX_FILE_SIZE);
    }
    /* Read up to one byte past the limit: the file may grow after fstat. */
    unsigned char *buf = malloc(INF_MAX_FILE_SIZE + 1);
    size_t len = 0;
    if (!buf) {
        close(fd);
        return inf_fail(err, path, 0, -ENOMEM, "out of memory");
    }
    while (len < INF_MAX_FILE_SIZE + 1) {
        ssize_t r = read(fd, buf + len, INF_MAX_FILE_SIZE + 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return inf_fail(err, path, 0, -e, "read failed: %s", errno_text(e, eb, sizeof(eb)));
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    int rc = inf_parse_buffer(path, buf, len, out, err);
    free(buf);
    return rc;
}

void inf_free(struct inf_file *inf)
{
    if (!inf)
        return;
    inf_map_free(&inf->section_map);
    inf_arena_free(&inf->arena);
    free(inf);
}

const char *inf_name(const struct inf_file *inf)
{
    return inf->name;
}

size_t inf_section_count(const struct inf_file *inf)
{
    return inf->nsections;
}

const struct inf_section *inf_section_at(const struct inf_file *inf, size_t i)
{
    return i < inf->nsections ? &inf->sections[i] : NULL;
}

const struct inf_section *inf_find_section(const struct inf_file *inf, const char *name)
{
    size_t idx;
    if (!name || !inf_map_get(&inf->section_map, name, &idx))
        return NULL;
    return &inf->sections[idx];
}

const struct inf_line *inf_find_line(const struct inf_section *sec, const char *key)
{
    if (!sec || !key)
        return NULL;
    for (size_t i = 0; i < sec->nlines; i++)
        if (sec->lines[i].key && inf_streq(sec->lines[i].key, key))
            return &sec->lines[i];
    return NULL;
}

const char *inf_get_value(const struct inf_file *inf, const char *section, const char *key,
                          size_t i)
{
    const struct inf_line *l = inf_find_line(inf_find_section(inf, section), key);
    return l && i < l->nvalues ? l->values[i] : NULL;
}
