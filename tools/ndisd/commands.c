/*
 * commands.c - the commands of the control protocol (docs/ndisd.md). Each
 * handler reads its arguments from the request's "args" object and fills a
 * result, or an error with an errno name and a message. Commands that change
 * the instance run one at a time, and the libndis diagnostics and verifier
 * reports logged while one runs come back in its "messages".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ndis/status.h>
#include <ndis/oidtypes.h>

#include "ndisd.h"
#include "oidnames.h"
#include "proto.h"

struct cmd_ctx {
    json_t *args;
    json_t *result;
    int err;                  /* positive errno when the command failed */
    char msg[1024];
    unsigned long long mark;  /* log position when the command started */
    const char *stream_name;  /* a streaming command: "trace", "capture" */
    struct stream stream;
};

typedef void cmd_fn(struct cmd_ctx *c);

static void failf(struct cmd_ctx *c, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void failf(struct cmd_ctx *c, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
    va_end(ap);
    c->err = err;
}

/* A host API failure: the first diagnostic libndis logged, else `what: reason`. */
static void fail_rc(struct cmd_ctx *c, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail_rc(struct cmd_ctx *c, int rc, const char *fmt, ...)
{
    char first[900];
    c->err = -rc;
    if (log_first_message_since(c->mark, first, sizeof(first))) {
        snprintf(c->msg, sizeof(c->msg), "%s", first);
        return;
    }
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    snprintf(c->msg, sizeof(c->msg), "%s: %s", what, ndis_host_strerror(rc));
}

static const char *arg_str(struct cmd_ctx *c, const char *key, bool required)
{
    json_t *v = json_object_get(c->args, key);
    if (json_is_string(v) && json_string_length(v) > 0)
        return json_string_value(v);
    if (v && !json_is_null(v) && !c->err)
        failf(c, EINVAL, "argument '%s': a non-empty string is expected", key);
    else if (required && !c->err)
        failf(c, EINVAL, "missing argument '%s'", key);
    return NULL;
}

static bool arg_bool(struct cmd_ctx *c, const char *key)
{
    return json_is_true(json_object_get(c->args, key));
}

/* ---- listings ---------------------------------------------------------------- */

static json_t *kinds_json(unsigned kinds)
{
    json_t *a = json_array();
    if (kinds & NDIS_DRIVER_KIND_MINIPORT)
        json_array_append_new(a, json_string("miniport"));
    if (kinds & NDIS_DRIVER_KIND_PROTOCOL)
        json_array_append_new(a, json_string("protocol"));
    if (kinds & NDIS_DRIVER_KIND_FILTER)
        json_array_append_new(a, json_string("filter"));
    return a;
}

static json_t *driver_json(const ndis_driver_info *d)
{
    json_t *o = json_pack("{s:s, s:o, s:i, s:i, s:i, s:I, s:I}", "name", d->name, "kinds",
                          kinds_json(d->kinds), "adapters", (int)d->adapters, "bindings",
                          (int)d->bindings, "modules", (int)d->modules, "mem_bytes",
                          (json_int_t)d->mem_bytes, "mem_allocs", (json_int_t)d->mem_allocs);
    drivers_describe(d->name, o);
    return o;
}

static json_t *adapter_json(const ndis_adapter_info *a)
{
    char mac[18];
    format_mac(a->mac, mac);
    const char *medium = ndis_medium_name(a->medium);
    return json_pack("{s:s, s:s, s:s, s:s?, s:i, s:s, s:s, s:I, s:i, s:i, s:i, s:i, "
                     "s:{s:I, s:I, s:I, s:I}}",
                     "name", a->name, "driver", a->driver, "state", a->state, "medium", medium,
                     "medium_value", (int)a->medium, "mac", mac, "link",
                     a->link_up ? "up" : "down", "link_speed", (json_int_t)a->link_speed, "mtu",
                     (int)a->mtu, "ifindex", (int)a->ifindex, "bindings", (int)a->bindings,
                     "modules", (int)a->modules, "counters", "sent", (json_int_t)a->sent,
                     "send_completed", (json_int_t)a->send_completed, "indicated",
                     (json_int_t)a->indicated, "returned", (json_int_t)a->returned);
}

static json_t *binding_json(const ndis_binding_info *b)
{
    return json_pack("{s:s, s:s, s:s, s:b}", "protocol", b->protocol, "adapter", b->adapter,
                     "state", b->state, "enabled", b->enabled);
}

static void cmd_status(struct cmd_ctx *c)
{
    ndis_host_counts n;
    ndis_host_get_counts(g_ndisd.host, &n);
    char started[40];
    struct tm tm;
    gmtime_r(&g_ndisd.started, &tm);
    strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
    c->result = json_pack(
        "{s:s, s:i, s:i, s:i, s:s, s:I, s:s?, s:s, s:s?, s:s, s:i, "
        "s:{s:i, s:i, s:i, s:i, s:I, s:I, s:I}, s:I, s:I}",
        "version", ndis_host_version(), "protocol", NDISD_PROTO_VERSION, "pid", (int)getpid(),
        "uid", (int)geteuid(), "started", started, "uptime_s",
        (json_int_t)(time(NULL) - g_ndisd.started), "config", g_ndisd.config_path, "socket",
        g_ndisd.socket_path, "registry", g_ndisd.registry_dir, "verifier",
        g_ndisd.verifier == NDIS_VERIFIER_LOG ? "log" : "abort", "wait_timeout_ms",
        (int)g_ndisd.wait_timeout_ms, "counts", "drivers", (int)n.drivers, "adapters",
        (int)n.adapters, "bindings", (int)n.bindings, "modules", (int)n.modules, "nbl_pools",
        (json_int_t)n.nbl_pools, "mem_bytes", (json_int_t)n.mem_bytes, "mem_allocs",
        (json_int_t)n.mem_allocs, "reports", (json_int_t)log_report_total(false),
        "leak_reports", (json_int_t)log_report_total(true));
}

static void cmd_drivers(struct cmd_ctx *c)
{
    unsigned n = 0;
    ndis_driver_info *d = host_drivers(&n);
    if (!d)
        return failf(c, ENOMEM, "cannot list drivers");
    c->result = json_array();
    for (unsigned i = 0; i < n; i++)
        json_array_append_new(c->result, driver_json(&d[i]));
    free(d);
}

static void cmd_adapters(struct cmd_ctx *c)
{
    unsigned n = 0;
    ndis_adapter_info *a = host_adapters(&n);
    if (!a)
        return failf(c, ENOMEM, "cannot list adapters");
    c->result = json_array();
    for (unsigned i = 0; i < n; i++)
        json_array_append_new(c->result, adapter_json(&a[i]));
    free(a);
}

static void cmd_bindings(struct cmd_ctx *c)
{
    unsigned n = 0;
    ndis_binding_info *b = host_bindings(&n);
    if (!b)
        return failf(c, ENOMEM, "cannot list bindings");
    c->result = json_array();
    for (unsigned i = 0; i < n; i++)
        json_array_append_new(c->result, binding_json(&b[i]));
    free(b);
}

/* One adapter's stack: its modules in stack order (bottom first) and bindings. */
static json_t *stack_json(const ndis_adapter_info *ad, const ndis_binding_info *b, unsigned nb,
                          const ndis_module_info *m, unsigned nm)
{
    json_t *mods = json_array(), *binds = json_array();
    for (unsigned i = 0; i < nm; i++)
        if (strcmp(m[i].adapter, ad->name) == 0)
            json_array_append_new(mods, json_pack("{s:s, s:s, s:i}", "filter", m[i].filter,
                                                  "state", m[i].state, "position",
                                                  (int)m[i].position));
    for (unsigned i = 0; i < nb; i++)
        if (strcmp(b[i].adapter, ad->name) == 0)
            json_array_append_new(binds, binding_json(&b[i]));
    return json_pack("{s:o, s:o, s:o}", "adapter", adapter_json(ad), "modules", mods,
                     "bindings", binds);
}

static void cmd_stack(struct cmd_ctx *c)
{
    const char *name = arg_str(c, "adapter", false);
    unsigned na = 0, nb = 0, nm = 0;
    ndis_adapter_info *a = host_adapters(&na);
    ndis_binding_info *b = host_bindings(&nb);
    ndis_module_info *m = host_modules(&nm);
    if (!a || !b || !m) {
        failf(c, ENOMEM, "cannot list the stack");
        goto out;
    }
    c->result = json_array();
    for (unsigned i = 0; i < na; i++)
        if (!name || strcmp(a[i].name, name) == 0)
            json_array_append_new(c->result, stack_json(&a[i], b, nb, m, nm));
    if (name && json_array_size(c->result) == 0)
        failf(c, ENOENT, "no adapter '%s'", name);
out:
    free(a);
    free(b);
    free(m);
}

/* ---- changes ------------------------------------------------------------------- */

static void cmd_load(struct cmd_ctx *c)
{
    struct driver_load dl = {
        .path = arg_str(c, "path", true),
        .name = arg_str(c, "name", false),
        .inf = arg_str(c, "inf", false),
    };
    if (!dl.path)
        return;
    char name[64];
    int rc = drivers_load(&dl, name, sizeof(name), c->msg, sizeof(c->msg));
    if (rc) {
        c->err = -rc;
        return;
    }
    c->result = json_pack("{s:s}", "driver", name);
    drivers_describe(name, c->result);
}

static void cmd_unload(struct cmd_ctx *c)
{
    const char *name = arg_str(c, "driver", true);
    if (!name)
        return;
    int rc = drivers_unload(name, c->msg, sizeof(c->msg));
    if (rc)
        c->err = -rc;
    else
        c->result = json_pack("{s:s}", "driver", name);
}

static void cmd_add_adapter(struct cmd_ctx *c)
{
    const char *drv = arg_str(c, "driver", true), *name = arg_str(c, "adapter", true);
    const char *ifname = arg_str(c, "ifname", false), *mac = arg_str(c, "mac", false);
    if (!drv || !name)
        return;
    unsigned char m[6];
    if (mac && parse_mac(mac, m))
        return failf(c, EINVAL, "'%s' is not a MAC address (02:00:4c:4f:4f:50)", mac);
    ndis_adapter_config cfg = {.ifname = ifname, .mac = mac ? m : NULL};
    int rc = ndis_host_add_adapter(g_ndisd.host, drv, name, &cfg);
    if (rc)
        return fail_rc(c, rc, "add adapter '%s' of driver '%s'", name, drv);
    c->result = json_pack("{s:s, s:s}", "adapter", name, "driver", drv);
}

static void cmd_remove_adapter(struct cmd_ctx *c)
{
    const char *name = arg_str(c, "adapter", true);
    if (!name)
        return;
    bool surprise = arg_bool(c, "surprise");
    int rc = surprise ? ndis_host_surprise_remove_adapter(g_ndisd.host, name)
                      : ndis_host_remove_adapter(g_ndisd.host, name);
    if (rc)
        return fail_rc(c, rc, "remove adapter '%s'", name);
    c->result = json_pack("{s:s, s:b}", "adapter", name, "surprise", surprise);
}

static void cmd_pause(struct cmd_ctx *c)
{
    const char *name = arg_str(c, "adapter", true);
    if (!name)
        return;
    int rc = ndis_host_pause_adapter(g_ndisd.host, name);
    if (rc)
        return fail_rc(c, rc, "pause adapter '%s'", name);
    c->result = json_pack("{s:s}", "adapter", name);
}

static void cmd_restart(struct cmd_ctx *c)
{
    const char *name = arg_str(c, "adapter", true);
    if (!name)
        return;
    int rc = ndis_host_restart_adapter(g_ndisd.host, name);
    if (rc)
        return fail_rc(c, rc, "restart adapter '%s'", name);
    c->result = json_pack("{s:s}", "adapter", name);
}

static void set_binding(struct cmd_ctx *c, bool enabled)
{
    const char *p = arg_str(c, "protocol", true), *a = arg_str(c, "adapter", true);
    if (!p || !a)
        return;
    int rc = ndis_host_set_binding_enabled(g_ndisd.host, p, a, enabled);
    if (rc)
        return fail_rc(c, rc, "%s binding %s -> %s", enabled ? "enable" : "disable", p, a);
    c->result = json_pack("{s:s, s:s, s:b}", "protocol", p, "adapter", a, "enabled", enabled);
}

static void cmd_enable_binding(struct cmd_ctx *c)
{
    set_binding(c, true);
}

static void cmd_disable_binding(struct cmd_ctx *c)
{
    set_binding(c, false);
}

/* ---- OIDs ---------------------------------------------------------------------- */

static void cmd_oid(struct cmd_ctx *c)
{
    const char *adapter = arg_str(c, "adapter", true), *oidtext = arg_str(c, "oid", true);
    const char *request = arg_str(c, "request", false);
    if (!adapter || !oidtext)
        return;
    if (!request)
        request = "query";
    int type;
    if (strcmp(request, "query") == 0)
        type = NdisRequestQueryInformation;
    else if (strcmp(request, "set") == 0)
        type = NdisRequestSetInformation;
    else if (strcmp(request, "statistics") == 0)
        type = NdisRequestQueryStatistics;
    else
        return failf(c, EINVAL, "request '%s': use query, set or statistics", request);
    uint32_t oid;
    if (oid_parse(oidtext, &oid))
        return failf(c, EINVAL,
                     "'%s' is neither a known OID name (ndisctl oid names) nor a number such as "
                     "0x00010107",
                     oidtext);
    const struct oid_desc *d = oid_by_value(oid);
    size_t len;
    unsigned char *buf;
    if (type == NdisRequestSetInformation) {
        const char *value = arg_str(c, "value", true);
        if (!value)
            return;
        buf = calloc(1, NDIS_HOST_OID_MAX_LEN);
        if (!buf)
            return failf(c, ENOMEM, "out of memory");
        char why[256];
        long n = oid_encode(d, value, buf, NDIS_HOST_OID_MAX_LEN, why, sizeof(why));
        if (n < 0) {
            free(buf);
            return failf(c, EINVAL, "value for %s: %s", d ? d->name : oidtext, why);
        }
        len = (size_t)n;
    } else {
        json_t *jl = json_object_get(c->args, "length");
        len = json_is_integer(jl) ? (size_t)json_integer_value(jl) : d ? d->query_len : 256;
        if (len > NDIS_HOST_OID_MAX_LEN)
            return failf(c, EINVAL, "length %zu is over %u", len, NDIS_HOST_OID_MAX_LEN);
        buf = calloc(1, len ? len : 1);
        if (!buf)
            return failf(c, ENOMEM, "out of memory");
    }
    int32_t status = 0;
    size_t bytes = 0;
    int rc = ndis_host_oid(g_ndisd.host, adapter, type, oid, buf, len, &status, &bytes);
    if (rc == 0 && type != NdisRequestSetInformation && status == NDIS_STATUS_BUFFER_TOO_SHORT &&
        bytes > len && bytes <= NDIS_HOST_OID_MAX_LEN && !json_object_get(c->args, "length")) {
        /* The answer is bigger than the usual: ask again with the size it needs. */
        unsigned char *nb = realloc(buf, bytes);
        if (nb) {
            buf = nb;
            len = bytes;
            memset(buf, 0, len);
            rc = ndis_host_oid(g_ndisd.host, adapter, type, oid, buf, len, &status, &bytes);
        }
    }
    char hexname[16];
    snprintf(hexname, sizeof(hexname), "0x%08x", oid);
    const char *oname = d ? d->name : hexname;
    if (rc) {
        free(buf);
        return fail_rc(c, rc, "%s %s on adapter '%s'", request, oname, adapter);
    }
    const char *sname = ndis_status_name(status);
    c->result = json_pack("{s:s, s:s, s:s, s:i, s:s, s:I, s:s?, s:I}", "adapter", adapter,
                          "request", request, "oid", oname, "oid_value", (json_int_t)oid,
                          "format", oid_fmt_name(d ? d->fmt : OIDF_RAW), "status",
                          (json_int_t)(uint32_t)status, "status_name", sname, "bytes",
                          (json_int_t)bytes);
    if (status == NDIS_STATUS_SUCCESS && type != NdisRequestSetInformation) {
        char *text = NULL;
        json_object_set_new(c->result, "value", oid_decode(d, buf, bytes, &text));
        if (text)
            json_object_set_new(c->result, "text", json_string(text));
        free(text);
        char *hex = oid_hex(buf, bytes);
        json_object_set_new(c->result, "hex", json_string(hex ? hex : ""));
        free(hex);
    }
    free(buf);
    if (status != NDIS_STATUS_SUCCESS) {
        char sbuf[16];
        snprintf(sbuf, sizeof(sbuf), "0x%08x", (uint32_t)status);
        bool needed = status == NDIS_STATUS_BUFFER_TOO_SHORT ||
                      status == NDIS_STATUS_INVALID_LENGTH;
        char extra[64] = "";
        if (needed)
            snprintf(extra, sizeof(extra), " (%zu bytes needed)", bytes);
        failf(c, EIO, "%s %s on adapter '%s': %s%s", request, oname, adapter,
              sname ? sname : sbuf, extra);
    }
}

static void cmd_oid_names(struct cmd_ctx *c)
{
    size_t n;
    const struct oid_desc *t = oid_table(&n);
    c->result = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(c->result,
                              json_pack("{s:s, s:I, s:s, s:i}", "name", t[i].name, "oid",
                                        (json_int_t)t[i].oid, "format", oid_fmt_name(t[i].fmt),
                                        "query_length", (int)t[i].query_len));
}

/* ---- parameters ---------------------------------------------------------------- */

/* Where a keyword lives: the host API's scope and key name for what the
   client wrote (scope "binding", name "PROTOCOL/ADAPTER" is the protocol's
   per-binding key "PROTOCOL\Adapters\ADAPTER" of its driver scope). */
struct param_key {
    ndis_param_scope scope;
    const char *scope_name; /* as the client wrote it */
    char name[256];
};

static bool param_key_of(struct cmd_ctx *c, const char *scope, const char *name,
                         struct param_key *k)
{
    k->scope_name = scope ? scope : "adapter";
    snprintf(k->name, sizeof(k->name), "%s", name);
    if (!strcmp(k->scope_name, "adapter")) {
        k->scope = NDIS_PARAM_ADAPTER;
    } else if (!strcmp(k->scope_name, "driver")) {
        k->scope = NDIS_PARAM_DRIVER;
    } else if (!strcmp(k->scope_name, "default")) {
        k->scope = NDIS_PARAM_DRIVER_DEFAULT;
    } else if (!strcmp(k->scope_name, "binding")) {
        const char *slash = strchr(name, '/');
        if (!slash || slash == name || !slash[1] || strchr(slash + 1, '/')) {
            failf(c, EINVAL, "binding '%s': write PROTOCOL/ADAPTER", name);
            return false;
        }
        k->scope = NDIS_PARAM_DRIVER;
        snprintf(k->name, sizeof(k->name), "%.*s\\Adapters\\%s", (int)(slash - name), name,
                 slash + 1);
    } else {
        failf(c, EINVAL, "scope '%s': use adapter, driver, binding or default", scope);
        return false;
    }
    return true;
}

static void params_list(struct cmd_ctx *c, const char *name)
{
    unsigned na = 0;
    ndis_adapter_info *a = host_adapters(&na);
    const char *driver = NULL;
    ndis_param_scope scope = NDIS_PARAM_DRIVER;
    for (unsigned i = 0; a && i < na; i++)
        if (strcmp(a[i].name, name) == 0) {
            driver = a[i].driver;
            scope = NDIS_PARAM_ADAPTER;
        }
    const char *scope_name = scope == NDIS_PARAM_ADAPTER ? "adapter" : "driver";
    if (!driver) {
        unsigned nd = 0;
        ndis_driver_info *d = host_drivers(&nd);
        for (unsigned i = 0; d && i < nd; i++)
            if (strcmp(d[i].name, name) == 0)
                driver = name;
        free(d);
    }
    if (!driver) {
        free(a);
        return failf(c, ENOENT, "no adapter or driver '%s'", name);
    }
    json_t *kws = drivers_params(driver);
    if (!kws)
        kws = json_array();
    size_t i;
    json_t *kw;
    json_array_foreach(kws, i, kw)
    {
        const char *k = json_string_value(json_object_get(kw, "keyword"));
        char value[1024];
        int rc = ndis_host_get_param(g_ndisd.host, scope, name, k, value, sizeof(value));
        json_object_set_new(kw, "value", rc == 0 ? json_string(value) : json_null());
    }
    c->result = json_pack("{s:s, s:s, s:s, s:o}", "name", name, "scope", scope_name, "driver",
                          driver, "keywords", kws);
    free(a);
}

static void cmd_params(struct cmd_ctx *c)
{
    const char *op = arg_str(c, "op", true);
    const char *name = arg_str(c, "name", true);
    if (!op || !name)
        return;
    if (strcmp(op, "list") == 0)
        return params_list(c, name);
    struct param_key k;
    if (!param_key_of(c, arg_str(c, "scope", false), name, &k))
        return;
    const char *kw = arg_str(c, "keyword", true);
    if (!kw)
        return;
    int rc;
    json_t *jv = json_object_get(c->args, "value");
    if (strcmp(op, "get") == 0) {
        char value[4096];
        rc = ndis_host_get_param(g_ndisd.host, k.scope, k.name, kw, value, sizeof(value));
        if (rc == -ENOENT)
            return failf(c, ENOENT, "%s '%s' has no keyword '%s' (not set, no INF default)",
                         k.scope_name, name, kw);
        if (rc)
            return fail_rc(c, rc, "get %s of %s '%s'", kw, k.scope_name, name);
        jv = json_string(value);
    } else if (strcmp(op, "set") == 0) {
        if (!json_is_string(jv))
            return failf(c, EINVAL, "missing argument 'value'");
        rc = ndis_host_set_param(g_ndisd.host, k.scope, k.name, kw, json_string_value(jv));
        if (rc)
            return fail_rc(c, rc, "set %s of %s '%s'", kw, k.scope_name, name);
        json_incref(jv);
    } else if (strcmp(op, "delete") == 0) {
        rc = ndis_host_delete_param(g_ndisd.host, k.scope, k.name, kw);
        if (rc == -ENOENT)
            return failf(c, ENOENT, "%s '%s' has no value set for '%s'", k.scope_name, name, kw);
        if (rc)
            return fail_rc(c, rc, "delete %s of %s '%s'", kw, k.scope_name, name);
        jv = NULL;
    } else {
        return failf(c, EINVAL, "params operation '%s': use list, get, set or delete", op);
    }
    c->result = json_pack("{s:s, s:s, s:s}", "scope", k.scope_name, "name", name, "keyword", kw);
    if (jv)
        json_object_set_new(c->result, "value", jv);
}

/* ---- reports and trace ---------------------------------------------------------- */

static void cmd_reports(struct cmd_ctx *c)
{
    json_t *jc = json_object_get(c->args, "count");
    unsigned max = json_is_integer(jc) && json_integer_value(jc) > 0
                       ? (unsigned)json_integer_value(jc)
                       : 50;
    c->result = json_pack("{s:I, s:I, s:o}", "total", (json_int_t)log_report_total(false),
                          "leaks", (json_int_t)log_report_total(true), "reports",
                          log_reports_json(max));
}

static void cmd_trace(struct cmd_ctx *c)
{
    c->stream_name = "trace";
    c->stream.run = tracebus_stream;
    c->result = json_object();
}

static void cmd_capture(struct cmd_ctx *c)
{
    const char *adapter = arg_str(c, "adapter", true), *at = arg_str(c, "at", false);
    if (!adapter)
        return;
    json_t *js = json_object_get(c->args, "snaplen");
    json_int_t snap = json_is_integer(js) ? json_integer_value(js) : 0;
    if (js && (!json_is_integer(js) || snap < 0 || snap > CAPTURE_MAX_SNAPLEN))
        return failf(c, EINVAL, "snaplen: a number of bytes from 1 to %u (0: whole frames)",
                     CAPTURE_MAX_SNAPLEN);
    unsigned snaplen;
    void *ctx;
    int rc = capture_begin(adapter, at, (unsigned)snap, &ctx, &snaplen);
    if (rc)
        return fail_rc(c, rc, "capture on adapter '%s' at %s", adapter, at ? at : "miniport");
    c->result = json_pack("{s:s, s:s, s:i}", "adapter", adapter, "at", at ? at : "miniport",
                          "snaplen", (int)snaplen);
    c->stream_name = "capture";
    c->stream.run = capture_stream;
    c->stream.ctx = ctx;
}

/* ---- dispatch ---------------------------------------------------------------------- */

static const struct command {
    const char *name;
    cmd_fn *fn;
    bool changes; /* runs alone; its diagnostics come back in "messages" */
} commands[] = {
    {"status", cmd_status, false},
    {"drivers", cmd_drivers, false},
    {"adapters", cmd_adapters, false},
    {"bindings", cmd_bindings, false},
    {"stack", cmd_stack, false},
    {"load", cmd_load, true},
    {"unload", cmd_unload, true},
    {"add-adapter", cmd_add_adapter, true},
    {"remove-adapter", cmd_remove_adapter, true},
    {"pause", cmd_pause, true},
    {"restart", cmd_restart, true},
    {"enable-binding", cmd_enable_binding, true},
    {"disable-binding", cmd_disable_binding, true},
    {"oid", cmd_oid, true},
    {"oid-names", cmd_oid_names, false},
    {"params", cmd_params, true},
    {"reports", cmd_reports, false},
    {"trace", cmd_trace, false},
    {"capture", cmd_capture, true},
};

/* The request's protocol version: 0 or an error in c. */
static int check_version(struct cmd_ctx *c, json_t *req)
{
    json_t *v = json_object_get(req, "v");
    if (!v) {
        failf(c, EPROTO, "a request carries the protocol version: {\"v\": %d, \"cmd\": ...}",
              NDISD_PROTO_VERSION);
        return -1;
    }
    if (!json_is_integer(v) || json_integer_value(v) != NDISD_PROTO_VERSION) {
        char *t = json_dumps(v, JSON_ENCODE_ANY);
        failf(c, EPROTONOSUPPORT,
              "protocol version %s is not supported: this ndisd speaks version %d",
              t ? t : "?", NDISD_PROTO_VERSION);
        free(t);
        return -1;
    }
    return 0;
}

json_t *commands_handle(json_t *req, struct stream *stream)
{
    struct cmd_ctx c;
    memset(&c, 0, sizeof(c));
    memset(stream, 0, sizeof(*stream));
    const char *name = json_string_value(json_object_get(req, "cmd"));
    json_t *args = json_object_get(req, "args");
    c.args = json_is_object(args) ? args : NULL;
    json_t *own_args = NULL;
    if (!c.args)
        c.args = own_args = json_object();
    const struct command *cmd = NULL;
    for (size_t i = 0; name && i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(commands[i].name, name) == 0)
            cmd = &commands[i];
    json_t *messages = NULL;
    if (check_version(&c, req)) {
        /* c.err set */
    } else if (!name) {
        failf(&c, EINVAL, "a request is {\"cmd\": \"<command>\", \"args\": {...}}");
    } else if (!cmd) {
        failf(&c, EINVAL, "unknown command '%s'", name);
    } else {
        pthread_rwlock_rdlock(&g_ndisd.host_lock);
        if (!g_ndisd.host) {
            failf(&c, ESHUTDOWN, "ndisd is shutting down");
        } else {
            if (cmd->changes)
                pthread_mutex_lock(&g_ndisd.change_lock);
            c.mark = log_mark();
            cmd->fn(&c);
            if (cmd->changes) {
                messages = log_messages_since(c.mark, false);
                pthread_mutex_unlock(&g_ndisd.change_lock);
            }
        }
        pthread_rwlock_unlock(&g_ndisd.host_lock);
    }
    json_t *resp;
    if (c.err) {
        resp = json_pack("{s:i, s:b, s:s, s:s}", "v", NDISD_PROTO_VERSION, "ok", 0, "error",
                         c.msg, "errno", proto_errno_name(c.err));
        if (c.result)
            json_object_set_new(resp, "result", c.result);
        if (cmd && cmd->changes) {
            char *a = json_dumps(c.args, JSON_COMPACT);
            log_msg(LOG_KIND_WARN, "command %s %s failed: %s", name, a ? a : "", c.msg);
            free(a);
        }
    } else {
        resp = json_pack("{s:i, s:b, s:o}", "v", NDISD_PROTO_VERSION, "ok", 1, "result",
                         c.result ? c.result : json_null());
        if (c.stream_name) {
            json_object_set_new(resp, "stream", json_string(c.stream_name));
            *stream = c.stream;
        }
        if (cmd && cmd->changes) {
            char *a = json_dumps(c.args, JSON_COMPACT);
            log_msg(LOG_KIND_INFO, "command %s %s done", name, a ? a : "");
            free(a);
        }
    }
    if (messages && json_array_size(messages))
        json_object_set_new(resp, "messages", messages);
    else
        json_decref(messages);
    json_decref(own_args);
    return resp;
}
