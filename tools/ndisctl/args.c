/*
 * args.c - ndisctl's command lines: each command's positionals and --options
 * become the "args" object of the request (docs/ndisd.md has every command).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "help.h"
#include "ndisctl.h"
#include "oidnames.h"

void usage_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "ndisctl: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    const struct cmd_help *h = cmd ? help_find(cmd) : NULL;
    if (h)
        fprintf(stderr, "\nUsage: ndisctl %s\n", h->synopsis);
    else
        fprintf(stderr, "\nTry 'ndisctl --help'.\n");
    exit(EXIT_USAGE);
}

/* ---- a command's own arguments ------------------------------------------------ */

/* "-s" into "--snaplen" when a flag is written "s|snaplen=". */
static const char *long_of(const char *const *flags, const char *a, char *buf, size_t len)
{
    if (a[0] != '-' || !a[1] || a[1] == '-' || a[2])
        return a;
    for (int f = 0; flags && flags[f]; f++)
        if (flags[f][0] == a[1] && flags[f][1] == '|') {
            snprintf(buf, len, "--%s", flags[f] + 2);
            size_t n = strlen(buf);
            if (buf[n - 1] == '=')
                buf[n - 1] = 0;
            return buf;
        }
    return a;
}

/*
 * Splits a command's arguments into positionals and --options. `flags` lists
 * the options, "name=" for one that takes a value, "name" for a switch, with
 * "x|" in front for a one-letter alias (-x); each lands in c->args under its
 * name. A lone "-" is a positional (standard output).
 */
static void parse_cmd(struct cmdline *c, const char *const *flags, int min_pos, int max_pos)
{
    for (int i = 0; i < c->argc; i++) {
        char alias[80];
        const char *a = long_of(flags, c->argv[i], alias, sizeof(alias));
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            help_command(stdout, c->cmd);
            exit(0);
        }
        if (a[0] == '-' && a[1] && a[1] != '-')
            usage_fail(c->cmd, "%s: unknown option '%s'", c->cmd, a);
        if (a[0] == '-' && a[1] == '-' && a[2]) {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
            bool found = false;
            for (int f = 0; flags && flags[f] && !found; f++) {
                const char *fl = flags[f][0] && flags[f][1] == '|' ? flags[f] + 2 : flags[f];
                size_t flen = strlen(fl);
                bool takes = fl[flen - 1] == '=';
                if ((takes ? flen - 1 : flen) != nlen || strncmp(fl, name, nlen) != 0)
                    continue;
                found = true;
                char key[64];
                snprintf(key, sizeof(key), "%.*s", (int)nlen, name);
                if (!takes) {
                    if (eq)
                        usage_fail(c->cmd, "--%s takes no value", key);
                    json_object_set_new(c->args, key, json_true());
                } else {
                    const char *v = eq ? eq + 1 : (i + 1 < c->argc ? c->argv[++i] : NULL);
                    if (!v)
                        usage_fail(c->cmd, "--%s needs a value", key);
                    json_object_set_new(c->args, key, json_string(v));
                }
            }
            if (!found)
                usage_fail(c->cmd, "%s: unknown option '%s'", c->cmd, a);
            continue;
        }
        if (c->npos == max_pos || c->npos == CMDLINE_MAX_POS)
            usage_fail(c->cmd, "%s: too many arguments ('%s')", c->cmd, a);
        c->pos[c->npos++] = a;
    }
    if (c->npos < min_pos)
        usage_fail(c->cmd, "%s: missing arguments", c->cmd);
}

static void set_str(json_t *o, const char *k, const char *v)
{
    json_object_set_new(o, k, json_string(v));
}

/* An absolute path, so the daemon (whose directory is /) finds the file. */
static void set_path(json_t *o, const char *k, const char *p)
{
    char *abs = realpath(p, NULL);
    set_str(o, k, abs ? abs : p);
    free(abs);
}

static void set_count(struct cmdline *c, const char *key)
{
    json_t *n = json_object_get(c->args, key);
    if (!n)
        return;
    char *end;
    long v = strtol(json_string_value(n), &end, 0);
    if (*end || v < 0)
        usage_fail(c->cmd, "--%s %s: a number", key, json_string_value(n));
    json_object_set_new(c->args, key, json_integer(v));
}

static void build_oid(struct cmdline *c)
{
    static const char *const f[] = {"length=", NULL};
    parse_cmd(c, f, 1, 4);
    const char *op = c->pos[0];
    if (!strcmp(op, "names")) {
        if (c->npos != 1)
            usage_fail(c->cmd, "oid names takes no arguments");
        c->proto_cmd = "oid-names";
        return;
    }
    if (strcmp(op, "query") && strcmp(op, "set") && strcmp(op, "statistics"))
        usage_fail(c->cmd, "oid %s: use query, statistics, set or names", op);
    int want = !strcmp(op, "set") ? 4 : 3;
    if (c->npos != want)
        usage_fail(c->cmd, "oid %s: %s arguments", op, c->npos < want ? "missing" : "too many");
    set_str(c->args, "request", op);
    set_str(c->args, "adapter", c->pos[1]);
    set_str(c->args, "oid", c->pos[2]);
    uint32_t oid;
    if (oid_parse(c->pos[2], &oid))
        usage_fail(c->cmd,
                   "'%s' is not a known OID name or a number such as 0x00010107 ('ndisctl "
                   "oid names' lists the names)",
                   c->pos[2]);
    if (want == 4)
        set_str(c->args, "value", c->pos[3]);
    set_count(c, "length");
}

static void build_params(struct cmdline *c)
{
    parse_cmd(c, NULL, 2, 5);
    const char *op = c->pos[0];
    set_str(c->args, "op", op);
    if (!strcmp(op, "list")) {
        if (c->npos != 2)
            usage_fail(c->cmd, "params list takes one NAME");
        set_str(c->args, "name", c->pos[1]);
        return;
    }
    if (strcmp(op, "get") && strcmp(op, "delete") && strcmp(op, "set"))
        usage_fail(c->cmd, "params %s: use list, get, set or delete", op);
    int want = !strcmp(op, "set") ? 5 : 4;
    if (c->npos != want)
        usage_fail(c->cmd, "params %s: %s arguments", op, c->npos < want ? "missing" : "too many");
    const char *scope = c->pos[1];
    if (strcmp(scope, "adapter") && strcmp(scope, "driver") && strcmp(scope, "default") &&
        strcmp(scope, "binding"))
        usage_fail(c->cmd, "params %s: scope '%s': use adapter, driver, binding or default", op,
                   scope);
    const char *slash = strchr(c->pos[2], '/');
    if (!strcmp(scope, "binding") && (!slash || slash == c->pos[2] || !slash[1]))
        usage_fail(c->cmd, "params %s: binding '%s': write PROTOCOL/ADAPTER", op, c->pos[2]);
    set_str(c->args, "scope", scope);
    set_str(c->args, "name", c->pos[2]);
    set_str(c->args, "keyword", c->pos[3]);
    if (want == 5)
        set_str(c->args, "value", c->pos[4]);
}

static void build_capture(struct cmdline *c)
{
    static const char *const f[] = {"at=", "s|snaplen=", "c|count=", "w|write=", NULL};
    parse_cmd(c, f, 1, 1);
    set_str(c->args, "adapter", c->pos[0]);
    json_t *w = json_object_get(c->args, "write");
    if (!w)
        usage_fail(c->cmd, "capture: -w FILE (or -w - for standard output) is required");
    /* The file stays with ndisctl: the daemon only streams frames. */
    json_object_set_new(c->args, "file", json_incref(w));
    json_object_del(c->args, "write");
    set_count(c, "snaplen");
    set_count(c, "count");
    json_t *s = json_object_get(c->args, "snaplen");
    if (s && (json_integer_value(s) < 1 || json_integer_value(s) > 65535))
        usage_fail(c->cmd, "capture: --snaplen %lld: from 1 to 65535 bytes",
                   (long long)json_integer_value(s));
}

/* Fills c->args and c->proto_cmd from the command line. */
void args_build(struct cmdline *c)
{
    const char *cmd = c->cmd;
    json_t *a = c->args;
    c->proto_cmd = cmd;
    if (!strcmp(cmd, "status") || !strcmp(cmd, "drivers") || !strcmp(cmd, "adapters") ||
        !strcmp(cmd, "bindings")) {
        parse_cmd(c, NULL, 0, 0);
    } else if (!strcmp(cmd, "stack")) {
        parse_cmd(c, NULL, 0, 1);
        if (c->npos)
            set_str(a, "adapter", c->pos[0]);
    } else if (!strcmp(cmd, "pause") || !strcmp(cmd, "restart")) {
        parse_cmd(c, NULL, 1, 1);
        set_str(a, "adapter", c->pos[0]);
    } else if (!strcmp(cmd, "load")) {
        static const char *const f[] = {"name=", "inf=", NULL};
        parse_cmd(c, f, 1, 1);
        set_path(a, "path", c->pos[0]);
        json_t *inf = json_object_get(a, "inf");
        if (inf) {
            char *p = strdup(json_string_value(inf));
            set_path(a, "inf", p);
            free(p);
        }
    } else if (!strcmp(cmd, "unload")) {
        parse_cmd(c, NULL, 1, 1);
        set_str(a, "driver", c->pos[0]);
    } else if (!strcmp(cmd, "add-adapter")) {
        static const char *const f[] = {"ifname=", "mac=", NULL};
        parse_cmd(c, f, 2, 2);
        set_str(a, "driver", c->pos[0]);
        set_str(a, "adapter", c->pos[1]);
        unsigned char mac[6];
        json_t *m = json_object_get(a, "mac");
        if (m && parse_mac(json_string_value(m), mac))
            usage_fail(cmd, "--mac %s: not a MAC address (02:00:4c:4f:4f:50)",
                       json_string_value(m));
    } else if (!strcmp(cmd, "remove-adapter")) {
        static const char *const f[] = {"surprise", NULL};
        parse_cmd(c, f, 1, 1);
        set_str(a, "adapter", c->pos[0]);
    } else if (!strcmp(cmd, "enable-binding") || !strcmp(cmd, "disable-binding")) {
        parse_cmd(c, NULL, 2, 2);
        set_str(a, "protocol", c->pos[0]);
        set_str(a, "adapter", c->pos[1]);
    } else if (!strcmp(cmd, "oid")) {
        build_oid(c);
    } else if (!strcmp(cmd, "params")) {
        build_params(c);
    } else if (!strcmp(cmd, "capture")) {
        build_capture(c);
    } else if (!strcmp(cmd, "reports") || !strcmp(cmd, "trace")) {
        static const char *const f[] = {"count=", NULL};
        parse_cmd(c, f, 0, 0);
        set_count(c, "count");
    } else {
        usage_fail(NULL, "unknown command '%s'", cmd);
    }
}

