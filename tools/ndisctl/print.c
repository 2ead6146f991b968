/*
 * print.c - ndisctl's human-readable output: one table or a few lines per
 * command, from the result the daemon sent (docs/ndisd.md lists the fields).
 * --json prints the response itself instead.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ndisctl.h"
#include "table.h"

void print_json(json_t *v, bool pretty, FILE *out)
{
    char *s = json_dumps(v, (pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_ENCODE_ANY);
    if (s) {
        fputs(s, out);
        fputc('\n', out);
    }
    free(s);
}

/* ---- helpers ------------------------------------------------------------------ */

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "-";
}

static long long num(json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

/* A number as a table cell (static buffers rotate so a row can hold several). */
static const char *cell_num(long long v)
{
    static char bufs[16][24];
    static unsigned next;
    char *b = bufs[next++ % 16];
    snprintf(b, 24, "%lld", v);
    return b;
}

static const char *speed_text(unsigned long long bps)
{
    static char b[32];
    if (bps == 0)
        return "-";
    if (bps % 1000000000ull == 0)
        snprintf(b, sizeof(b), "%llu Gbit/s", bps / 1000000000ull);
    else if (bps % 1000000ull == 0)
        snprintf(b, sizeof(b), "%llu Mbit/s", bps / 1000000ull);
    else
        snprintf(b, sizeof(b), "%llu bit/s", bps);
    return b;
}

static const char *bytes_text(unsigned long long n)
{
    static char b[32];
    if (n < 10240)
        snprintf(b, sizeof(b), "%llu B", n);
    else if (n < 10ull * 1024 * 1024)
        snprintf(b, sizeof(b), "%llu KiB", n / 1024);
    else
        snprintf(b, sizeof(b), "%llu MiB", n / (1024 * 1024));
    return b;
}

/* Prints an object's members as "key: value" lines, nested objects indented. */
static void print_fields(json_t *o, int indent, FILE *out)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        if (json_is_object(v)) {
            fprintf(out, "%*s%s:\n", indent, "", k);
            print_fields(v, indent + 2, out);
            continue;
        }
        char *s = json_is_string(v) ? strdup(json_string_value(v))
                                    : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        fprintf(out, "%*s%s: %s\n", indent, "", k, s ? s : "?");
        free(s);
    }
}

/* ---- listings ------------------------------------------------------------------ */

static void print_status(json_t *r, FILE *out)
{
    json_t *n = json_object_get(r, "counts");
    fprintf(out, "%s, protocol %lld, ndisd pid %lld (uid %lld), up %llds since %s\n",
            str(r, "version"), num(r, "protocol"), num(r, "pid"), num(r, "uid"),
            num(r, "uptime_s"), str(r, "started"));
    fprintf(out, "config:    %s\nsocket:    %s\nregistry:  %s\nverifier:  %s, waits bounded "
                 "by %lld ms\n",
            str(r, "config"), str(r, "socket"),
            json_is_string(json_object_get(r, "registry")) ? str(r, "registry") : "(memory)",
            str(r, "verifier"), num(r, "wait_timeout_ms"));
    fprintf(out, "instance:  %lld drivers, %lld adapters, %lld bindings, %lld filter modules, "
                 "%lld NBL pools, %s in %lld driver allocations\n",
            num(n, "drivers"), num(n, "adapters"), num(n, "bindings"), num(n, "modules"),
            num(n, "nbl_pools"), bytes_text((unsigned long long)num(n, "mem_bytes")),
            num(n, "mem_allocs"));
    fprintf(out, "reports:   %lld verifier reports (%lld leaks)\n", num(r, "reports"),
            num(r, "leak_reports"));
}

static void print_drivers(json_t *r, FILE *out)
{
    static const char *const h[] = {"NAME", "KIND", ">ADAPTERS", ">BINDINGS", ">MODULES",
                                    ">MEMORY", "INF", "FILE", NULL};
    struct table *t = table_new(h);
    size_t i;
    json_t *d;
    json_array_foreach(r, i, d)
    {
        char kinds[64] = "";
        size_t j;
        json_t *k;
        json_array_foreach(json_object_get(d, "kinds"), j, k)
        {
            if (*kinds)
                strcat(kinds, ",");
            strncat(kinds, json_string_value(k), 20);
        }
        const char *inf = str(d, "inf"), *file = str(d, "path");
        const char *slash = strrchr(inf, '/');
        const char *fslash = strrchr(file, '/');
        char mem[32];
        snprintf(mem, sizeof(mem), "%s", bytes_text((unsigned long long)num(d, "mem_bytes")));
        const char *row[] = {str(d, "name"), *kinds ? kinds : "-",
                             cell_num(num(d, "adapters")), cell_num(num(d, "bindings")),
                             cell_num(num(d, "modules")), mem,
                             slash ? slash + 1 : inf, fslash ? fslash + 1 : file};
        table_row(t, row);
    }
    table_print(t, out);
    table_free(t);
}

static const char *link_cell(json_t *a, char *buf, size_t len)
{
    long long sp = num(a, "link_speed");
    if (strcmp(str(a, "link"), "up") == 0 && sp > 0)
        snprintf(buf, len, "up %s", speed_text((unsigned long long)sp));
    else
        snprintf(buf, len, "%s", str(a, "link"));
    return buf;
}

static void print_adapters(json_t *r, FILE *out)
{
    static const char *const h[] = {"NAME", "DRIVER", "STATE", "MEDIUM", "MAC", "LINK", ">MTU",
                                    ">BIND", ">FILT", ">SENT", ">SENTOK", ">RECV", ">RETURNED",
                                    NULL};
    struct table *t = table_new(h);
    size_t i;
    json_t *a;
    json_array_foreach(r, i, a)
    {
        json_t *c = json_object_get(a, "counters");
        char link[48];
        const char *row[] = {str(a, "name"), str(a, "driver"), str(a, "state"),
                             str(a, "medium"), str(a, "mac"), link_cell(a, link, sizeof(link)),
                             cell_num(num(a, "mtu")), cell_num(num(a, "bindings")),
                             cell_num(num(a, "modules")), cell_num(num(c, "sent")),
                             cell_num(num(c, "send_completed")), cell_num(num(c, "indicated")),
                             cell_num(num(c, "returned"))};
        table_row(t, row);
    }
    table_print(t, out);
    table_free(t);
}

static void print_bindings(json_t *r, FILE *out)
{
    static const char *const h[] = {"PROTOCOL", "ADAPTER", "STATE", "ENABLED", NULL};
    struct table *t = table_new(h);
    size_t i;
    json_t *b;
    json_array_foreach(r, i, b)
    {
        const char *row[] = {str(b, "protocol"), str(b, "adapter"), str(b, "state"),
                             json_is_true(json_object_get(b, "enabled")) ? "yes" : "no"};
        table_row(t, row);
    }
    table_print(t, out);
    table_free(t);
}

/* One adapter's stack from the top: protocols, filter modules (top first), miniport. */
static void print_one_stack(json_t *s, FILE *out)
{
    json_t *a = json_object_get(s, "adapter");
    char link[48];
    fprintf(out, "%s: %s %s, %s, link %s\n", str(a, "name"), str(a, "medium"), str(a, "mac"),
            str(a, "state"), link_cell(a, link, sizeof(link)));
    static const char *const h[] = {"  LAYER", "DRIVER", "STATE", "WHERE", NULL};
    struct table *t = table_new(h);
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(s, "bindings"), i, b)
    {
        const char *row[] = {"  protocol", str(b, "protocol"), str(b, "state"),
                             json_is_true(json_object_get(b, "enabled")) ? "bound"
                                                                         : "disabled"};
        table_row(t, row);
    }
    json_t *mods = json_object_get(s, "modules");
    for (size_t k = json_array_size(mods); k-- > 0;) {
        json_t *m = json_array_get(mods, k);
        char where[32];
        snprintf(where, sizeof(where), "position %lld", num(m, "position"));
        const char *row[] = {"  filter", str(m, "filter"), str(m, "state"), where};
        table_row(t, row);
    }
    const char *row[] = {"  miniport", str(a, "driver"), str(a, "state"), "bottom"};
    table_row(t, row);
    table_print(t, out);
    table_free(t);
}

static void print_stack(json_t *r, FILE *out)
{
    size_t i;
    json_t *s;
    if (json_array_size(r) == 0)
        fprintf(out, "no adapters\n");
    json_array_foreach(r, i, s)
    {
        if (i)
            fputc('\n', out);
        print_one_stack(s, out);
    }
}

/* ---- OIDs and parameters ------------------------------------------------------ */

static void print_oid(json_t *r, FILE *out)
{
    const char *req = str(r, "request");
    if (strcmp(req, "set") == 0) {
        fprintf(out, "%s set on %s (%lld bytes read)\n", str(r, "oid"), str(r, "adapter"),
                num(r, "bytes"));
        return;
    }
    json_t *v = json_object_get(r, "value");
    const char *text = json_string_value(json_object_get(r, "text"));
    if (json_is_object(v)) {
        fprintf(out, "%s on %s (%lld bytes):\n", str(r, "oid"), str(r, "adapter"),
                num(r, "bytes"));
        print_fields(v, 2, out);
        if (text)
            fprintf(out, "  (%s)\n", text);
        return;
    }
    char *s = json_is_string(v) ? strdup(json_string_value(v))
                                : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    fprintf(out, "%s on %s: %s", str(r, "oid"), str(r, "adapter"), s ? s : "?");
    if (text)
        fprintf(out, " (%s)", text);
    fputc('\n', out);
    free(s);
}

static void print_oid_names(json_t *r, FILE *out)
{
    static const char *const h[] = {"OID", "VALUE", "FORMAT", ">QUERY-LEN", NULL};
    struct table *t = table_new(h);
    size_t i;
    json_t *o;
    json_array_foreach(r, i, o)
    {
        char hex[16];
        snprintf(hex, sizeof(hex), "0x%08llx", num(o, "oid"));
        const char *row[] = {str(o, "name"), hex, str(o, "format"),
                             cell_num(num(o, "query_length"))};
        table_row(t, row);
    }
    table_print(t, out);
    table_free(t);
}

static void print_params(const struct cmdline *c, json_t *r, FILE *out)
{
    const char *op = json_string_value(json_object_get(c->args, "op"));
    if (op && strcmp(op, "list") == 0) {
        fprintf(out, "%s %s (driver %s):\n", str(r, "scope"), str(r, "name"), str(r, "driver"));
        static const char *const h[] = {"KEYWORD", "TYPE", "DEFAULT", "VALUE", "DESCRIPTION",
                                        NULL};
        struct table *t = table_new(h);
        size_t i;
        json_t *k;
        json_array_foreach(json_object_get(r, "keywords"), i, k)
        {
            const char *row[] = {str(k, "keyword"), str(k, "type"), str(k, "default"),
                                 str(k, "value"), str(k, "description")};
            table_row(t, row);
        }
        table_print(t, out);
        table_free(t);
        if (json_array_size(json_object_get(r, "keywords")) == 0)
            fprintf(out, "(the driver's INF file declares no Ndi\\params keywords)\n");
    } else if (op && strcmp(op, "get") == 0) {
        fprintf(out, "%s\n", str(r, "value"));
    } else if (op && strcmp(op, "set") == 0) {
        fprintf(out, "%s %s: %s = %s\n", str(r, "scope"), str(r, "name"), str(r, "keyword"),
                str(r, "value"));
    } else {
        fprintf(out, "%s %s: %s deleted\n", str(r, "scope"), str(r, "name"), str(r, "keyword"));
    }
}

static void print_reports(json_t *r, FILE *out)
{
    fprintf(out, "%lld verifier reports since the start (%lld leaks)\n", num(r, "total"),
            num(r, "leaks"));
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r, "reports"), i, e)
        fprintf(out, "%s [%s] %s\n", str(e, "time"), str(e, "class"), str(e, "message"));
}

/* ---- dispatch --------------------------------------------------------------------- */

void print_result(const struct cmdline *c, json_t *r, FILE *out)
{
    const char *cmd = c->proto_cmd;
    if (!strcmp(cmd, "status"))
        print_status(r, out);
    else if (!strcmp(cmd, "drivers"))
        print_drivers(r, out);
    else if (!strcmp(cmd, "adapters"))
        print_adapters(r, out);
    else if (!strcmp(cmd, "bindings"))
        print_bindings(r, out);
    else if (!strcmp(cmd, "stack"))
        print_stack(r, out);
    else if (!strcmp(cmd, "oid"))
        print_oid(r, out);
    else if (!strcmp(cmd, "oid-names"))
        print_oid_names(r, out);
    else if (!strcmp(cmd, "params"))
        print_params(c, r, out);
    else if (!strcmp(cmd, "reports"))
        print_reports(r, out);
    else if (!strcmp(cmd, "load"))
        fprintf(out, "driver %s loaded from %s%s%s\n", str(r, "driver"), str(r, "path"),
                json_is_string(json_object_get(r, "inf")) ? " with " : "",
                json_is_string(json_object_get(r, "inf")) ? str(r, "inf") : "");
    else if (!strcmp(cmd, "unload"))
        fprintf(out, "driver %s unloaded\n", str(r, "driver"));
    else if (!strcmp(cmd, "add-adapter"))
        fprintf(out, "adapter %s of driver %s added\n", str(r, "adapter"), str(r, "driver"));
    else if (!strcmp(cmd, "remove-adapter"))
        fprintf(out, "adapter %s removed%s\n", str(r, "adapter"),
                json_is_true(json_object_get(r, "surprise")) ? " (surprise removal)" : "");
    else if (!strcmp(cmd, "pause"))
        fprintf(out, "adapter %s paused\n", str(r, "adapter"));
    else if (!strcmp(cmd, "restart"))
        fprintf(out, "adapter %s restarted\n", str(r, "adapter"));
    else if (!strcmp(cmd, "enable-binding") || !strcmp(cmd, "disable-binding"))
        fprintf(out, "binding %s -> %s %s\n", str(r, "protocol"), str(r, "adapter"),
                json_is_true(json_object_get(r, "enabled")) ? "enabled" : "disabled");
    else if (json_is_object(r))
        print_fields(r, 0, out);
}

/* ---- the trace ------------------------------------------------------------------- */

void trace_printer_init(struct trace_printer *tp)
{
    memset(tp, 0, sizeof(*tp));
}

void trace_print(struct trace_printer *tp, json_t *ev, FILE *out)
{
    const char *kind = str(ev, "event");
    if (!strcmp(kind, "dropped")) {
        fprintf(out, "... %lld events dropped (the client read too slowly)\n", num(ev, "count"));
        return;
    }
    if (!strcmp(kind, "end")) {
        fprintf(out, "--- trace ended: %s\n", str(ev, "reason"));
        return;
    }
    unsigned long long t = (unsigned long long)num(ev, "time_ns");
    if (!tp->started) {
        tp->started = true;
        tp->t0 = t;
    }
    double rel = (double)(t - tp->t0) / 1e6;
    bool ret = !strcmp(str(ev, "phase"), "return");
    int depth = (int)num(ev, "depth");
    const char *obj = str(ev, "object");
    fprintf(out, "%10.3f ms  %-12s %*s%s %s", rel, str(ev, "driver"), 2 * depth, "",
            ret ? "<-" : "->", str(ev, "function"));
    if (strcmp(obj, "-") && *obj)
        fprintf(out, " [%s]", obj);
    if (ret && json_object_get(ev, "status")) {
        const char *sn = json_string_value(json_object_get(ev, "status_name"));
        if (sn)
            fprintf(out, " = %s", sn);
        else
            fprintf(out, " = 0x%08llx", num(ev, "status"));
    }
    fprintf(out, "  irql %lld\n", num(ev, "irql"));
}
