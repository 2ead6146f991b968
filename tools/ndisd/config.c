/*
 * config.c - the configuration file: one directive per line, '#' comments,
 * blank-separated words ("double quotes" keep blanks, \" and \\ inside them),
 * positional arguments then key=value attributes. docs/ndisd.md has the format.
 * Every line is checked here, before anything is loaded, and the first problem
 * is reported as "file:line: reason".
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ndisd.h"
#include "oidnames.h"

#define LINE_MAX_LEN 4096

struct verb_rule {
    const char *verb;
    unsigned min_args, max_args;
    const char *attrs[CONFIG_MAX_ATTRS]; /* allowed attribute keys */
    const char *usage;
};

static const struct verb_rule rules[] = {
    {"driver", 1, 1, {"name", "inf"}, "driver <file.so> [name=NAME] [inf=FILE.inf]"},
    {"adapter", 2, 2, {"ifname", "mac"}, "adapter <driver> <name> [ifname=IF] [mac=MAC]"},
    {"disable-binding", 2, 2, {NULL}, "disable-binding <protocol> <adapter>"},
    {"option", 0, 0, {"verifier", "wait-timeout-ms", "registry", "drivers"},
     "option verifier=log|abort | wait-timeout-ms=N | registry=DIR | drivers=DIR"},
};

static const struct verb_rule *rule_of(const char *verb)
{
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        if (strcmp(rules[i].verb, verb) == 0)
            return &rules[i];
    return NULL;
}

static int fail(char *err, size_t errlen, const char *path, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int fail(char *err, size_t errlen, const char *path, unsigned line, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    if (line)
        snprintf(err, errlen, "%s:%u: %s", path, line, reason);
    else
        snprintf(err, errlen, "%s: %s", path, reason);
    return -EINVAL;
}

/* Splits a line into words. quoted[i] tells whether word i had quotes. */
static int split(char *s, char **words, bool *quoted, unsigned max, unsigned *n,
                 const char **why)
{
    *n = 0;
    char *out = s;
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s || *s == '#')
            break;
        if (*n == max) {
            *why = "too many words";
            return -1;
        }
        char *w = out;
        bool q = false;
        while (*s && *s != ' ' && *s != '\t') {
            if (*s == '"') {
                q = true;
                s++;
                while (*s && *s != '"') {
                    if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
                        s++;
                    *out++ = *s++;
                }
                if (*s != '"') {
                    *why = "unterminated quote";
                    return -1;
                }
                s++;
            } else if (*s == '#' && !q) {
                break;
            } else {
                *out++ = *s++;
            }
        }
        bool at_comment = *s == '#';
        if (*s)
            s++;
        *out++ = 0;
        words[*n] = w;
        quoted[*n] = q;
        (*n)++;
        if (at_comment)
            break;
    }
    return 0;
}

static bool attr_key_ok(const char *w, size_t keylen)
{
    if (keylen == 0)
        return false;
    for (size_t i = 0; i < keylen; i++)
        if (!((w[i] >= 'a' && w[i] <= 'z') || w[i] == '-'))
            return false;
    return true;
}

static int check_values(const struct config_line *l, const char *path, char *err,
                        size_t errlen)
{
    for (unsigned i = 0; i < l->nattrs; i++) {
        const char *k = l->attrs[i].key, *v = l->attrs[i].value;
        unsigned char mac[6];
        if (strcmp(k, "mac") == 0 && parse_mac(v, mac))
            return fail(err, errlen, path, l->lineno,
                        "mac=%s is not a MAC address (02:00:4c:4f:4f:50 or 02-00-4C-4F-4F-50)",
                        v);
        if (strcmp(k, "verifier") == 0 && strcmp(v, "log") && strcmp(v, "abort"))
            return fail(err, errlen, path, l->lineno, "verifier=%s: use log or abort", v);
        if (strcmp(k, "wait-timeout-ms") == 0) {
            char *end;
            long t = strtol(v, &end, 10);
            if (*end || t < 1 || t > 3600000)
                return fail(err, errlen, path, l->lineno,
                            "wait-timeout-ms=%s: a number of milliseconds from 1 to 3600000", v);
        }
        if (!*v)
            return fail(err, errlen, path, l->lineno, "%s= has no value", k);
        for (unsigned j = 0; j < i; j++)
            if (strcmp(l->attrs[j].key, k) == 0)
                return fail(err, errlen, path, l->lineno, "%s= given twice", k);
    }
    if (strcmp(l->verb, "option") == 0 && l->nattrs == 0)
        return fail(err, errlen, path, l->lineno, "option without a setting (%s)",
                    rule_of("option")->usage);
    for (unsigned i = 0; i < l->nargs; i++)
        if (strlen(l->args[i]) >= (strcmp(l->verb, "driver") == 0 ? PATH_MAX : 64))
            return fail(err, errlen, path, l->lineno, "'%.40s...' is too long", l->args[i]);
    return 0;
}

static int parse_line(char *text, unsigned lineno, const char *path, struct config_line *l,
                      char *err, size_t errlen)
{
    char *words[2 + CONFIG_MAX_ARGS + CONFIG_MAX_ATTRS];
    bool quoted[2 + CONFIG_MAX_ARGS + CONFIG_MAX_ATTRS];
    unsigned n;
    const char *why;
    memset(l, 0, sizeof(*l));
    l->lineno = lineno;
    if (split(text, words, quoted, sizeof(words) / sizeof(words[0]), &n, &why))
        return fail(err, errlen, path, lineno, "%s", why);
    if (n == 0)
        return 1; /* blank or comment */
    const struct verb_rule *r = rule_of(words[0]);
    if (!r)
        return fail(err, errlen, path, lineno,
                    "unknown directive '%s' (known: driver, adapter, disable-binding, option)",
                    words[0]);
    l->verb = strdup(words[0]);
    for (unsigned i = 1; i < n; i++) {
        char *eq = quoted[i] ? NULL : strchr(words[i], '=');
        if (eq && attr_key_ok(words[i], (size_t)(eq - words[i]))) {
            *eq = 0;
            bool known = false;
            for (unsigned k = 0; k < CONFIG_MAX_ATTRS && r->attrs[k]; k++)
                known |= strcmp(r->attrs[k], words[i]) == 0;
            if (!known)
                return fail(err, errlen, path, lineno, "%s: unknown setting '%s' (usage: %s)",
                            r->verb, words[i], r->usage);
            l->attrs[l->nattrs].key = strdup(words[i]);
            l->attrs[l->nattrs].value = strdup(eq + 1);
            l->nattrs++;
            continue;
        }
        if (l->nattrs)
            return fail(err, errlen, path, lineno,
                        "%s: '%s' after a key=value setting (usage: %s)", r->verb, words[i],
                        r->usage);
        if (l->nargs == r->max_args)
            return fail(err, errlen, path, lineno, "%s: too many arguments (usage: %s)",
                        r->verb, r->usage);
        l->args[l->nargs++] = strdup(words[i]);
    }
    if (l->nargs < r->min_args)
        return fail(err, errlen, path, lineno, "%s: missing arguments (usage: %s)", r->verb,
                    r->usage);
    return check_values(l, path, err, errlen);
}

static void line_free(struct config_line *l)
{
    free(l->verb);
    for (unsigned i = 0; i < l->nargs; i++)
        free(l->args[i]);
    for (unsigned i = 0; i < l->nattrs; i++) {
        free(l->attrs[i].key);
        free(l->attrs[i].value);
    }
}

void config_free(struct config *c)
{
    if (!c)
        return;
    for (unsigned i = 0; i < c->n; i++)
        line_free(&c->lines[i]);
    free(c->lines);
    free(c->path);
    free(c->dir);
    free(c->drivers_dir);
    free(c);
}

int config_load(const char *path, struct config **out, char *err, size_t errlen)
{
    *out = NULL;
    FILE *f = fopen(path, "re");
    if (!f) {
        int e = errno;
        fail(err, errlen, path, 0, "cannot open: %s", strerror(e));
        return -e;
    }
    struct config *c = calloc(1, sizeof(*c));
    if (!c) {
        fclose(f);
        return -ENOMEM;
    }
    char *abs = realpath(path, NULL);
    c->path = strdup(path);
    c->dir = strdup(abs ? abs : path);
    free(abs);
    char *slash = strrchr(c->dir, '/');
    if (slash)
        slash[slash == c->dir ? 1 : 0] = 0;
    else
        snprintf(c->dir, strlen(c->dir) + 1, ".");
    char buf[LINE_MAX_LEN + 2];
    unsigned lineno = 0;
    int rc = 0;
    while (fgets(buf, sizeof(buf), f)) {
        lineno++;
        size_t len = strlen(buf);
        if (len && buf[len - 1] == '\n')
            buf[--len] = 0;
        else if (!feof(f)) {
            rc = fail(err, errlen, path, lineno, "line longer than %d bytes", LINE_MAX_LEN);
            break;
        }
        if (len && buf[len - 1] == '\r')
            buf[--len] = 0;
        if (memchr(buf, 0, len)) {
            rc = fail(err, errlen, path, lineno, "NUL character");
            break;
        }
        struct config_line l;
        int r = parse_line(buf, lineno, path, &l, err, errlen);
        if (r == 1)
            continue;
        if (r < 0) {
            line_free(&l);
            rc = r;
            break;
        }
        struct config_line *nl = realloc(c->lines, (c->n + 1) * sizeof(*nl));
        if (!nl) {
            line_free(&l);
            rc = -ENOMEM;
            break;
        }
        c->lines = nl;
        c->lines[c->n++] = l;
    }
    if (!rc && ferror(f))
        rc = fail(err, errlen, path, 0, "read error: %s", strerror(errno));
    fclose(f);
    if (rc) {
        config_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

const char *config_attr(const struct config_line *l, const char *key)
{
    for (unsigned i = 0; i < l->nattrs; i++)
        if (strcmp(l->attrs[i].key, key) == 0)
            return l->attrs[i].value;
    return NULL;
}

char *config_path_of(const struct config *c, const char *p)
{
    if (p[0] == '/')
        return strdup(p);
    char *s = NULL;
    if (asprintf(&s, "%s/%s", c->dir, p) < 0)
        return NULL;
    return s;
}

int config_set_drivers_dir(struct config *c, const char *cli_dir)
{
    const char *opt = NULL;
    for (unsigned i = 0; i < c->n; i++)
        if (strcmp(c->lines[i].verb, "option") == 0 && config_attr(&c->lines[i], "drivers"))
            opt = config_attr(&c->lines[i], "drivers");
    char *dir = cli_dir ? realpath(cli_dir, NULL)
                : opt   ? config_path_of(c, opt)
                        : strdup(c->dir);
    if (!dir)
        return -errno ? -errno : -ENOMEM;
    free(c->drivers_dir);
    c->drivers_dir = dir;
    return 0;
}

char *config_driver_path_of(const struct config *c, const char *p)
{
    if (p[0] == '/')
        return strdup(p);
    char *s = NULL;
    if (asprintf(&s, "%s/%s", c->drivers_dir ? c->drivers_dir : c->dir, p) < 0)
        return NULL;
    return s;
}
