/*
 * ndisd.h - the NDIS daemon's modules and the state they share.
 *
 *   main.c      options, daemonizing, signals, start-up and orderly shutdown
 *   log.c       the daemon log, verifier reports and diagnostics (with a ring of
 *               recent ones for "ndisctl reports" and for command replies)
 *   config.c    the configuration file parser
 *   drivers.c   loading drivers with their INF files; the file each came from
 *   listing.c   the instance's enumerations as whole arrays
 *   server.c    the control socket: peer credentials, one thread per connection
 *   commands.c  the commands of the protocol (tools/common/proto.h)
 *   tracebus.c  the NDIS call trace fanned out to subscribers and a trace file
 *   capture.c   packet capture sessions: a bounded ring per client, drops counted
 */
#ifndef NDISD_H
#define NDISD_H

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <ndishost.h>

/* ---- shared state ---------------------------------------------------------- */

struct ndisd {
    /* The instance. Commands hold host_lock for reading while they use it; the
       shutdown takes it for writing, destroys the instance and sets host NULL. */
    ndis_host *host;
    pthread_rwlock_t host_lock;
    /* Serializes commands that change the instance, so the diagnostics gathered
       while one runs belong to it. */
    pthread_mutex_t change_lock;
    const char *config_path;   /* NULL: none */
    const char *socket_path;
    const char *registry_dir;  /* NULL: in memory */
    const char *log_path;      /* NULL: stderr (foreground) or syslog */
    time_t started;
    unsigned wait_timeout_ms;
    int verifier;              /* ndis_verifier_policy */
    size_t capture_ring;       /* bytes each capture session may buffer */
};

extern struct ndisd g_ndisd;

/* ---- log.c ----------------------------------------------------------------- */

enum log_kind { LOG_KIND_INFO, LOG_KIND_WARN, LOG_KIND_ERROR, LOG_KIND_DIAG, LOG_KIND_REPORT };

/* path NULL: stderr when use_syslog is false, else syslog. 0 or -errno. */
int log_open(const char *path, bool use_syslog);
int log_reopen(void);
void log_close(void);
void log_msg(enum log_kind kind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_kind kind, const char *fmt, va_list ap);
/* Installs the verifier report and diagnostic handlers (everything to the log). */
void log_install_ndis_handlers(void);

/* The ring of recent diagnostics and reports. A mark is a sequence number. */
unsigned long long log_mark(void);
/* Diagnostics and reports logged after `mark` (only the leak reports with
   leaks_only), as an array of strings. */
json_t *log_messages_since(unsigned long long mark, bool leaks_only);
/* The first diagnostic or report logged after `mark` (copied into buf), or false. */
bool log_first_message_since(unsigned long long mark, char *buf, size_t len);
/* Reports (newest last, at most max) as an array of objects. */
json_t *log_reports_json(unsigned max);
/* Reports logged since the start (all, or only those of class "leak"). */
unsigned long log_report_total(bool leaks_only);

/* ---- config.c -------------------------------------------------------------- */

#define CONFIG_MAX_ARGS 8
#define CONFIG_MAX_ATTRS 8

struct config_attr {
    char *key, *value;
};

struct config_line {
    unsigned lineno;
    char *verb;                 /* "driver", "adapter", "option", "disable-binding" */
    unsigned nargs;
    char *args[CONFIG_MAX_ARGS];
    unsigned nattrs;
    struct config_attr attrs[CONFIG_MAX_ATTRS];
};

struct config {
    char *path;
    char *dir;                  /* for relative paths */
    char *drivers_dir;          /* for relative driver and INF paths (see below) */
    unsigned n;
    struct config_line *lines;
};

/* Parses and checks the file; on error fills err with "file:line: reason". */
int config_load(const char *path, struct config **out, char *err, size_t errlen);
void config_free(struct config *c);
const char *config_attr(const struct config_line *l, const char *key);
/* An absolute path for a path written in the file (malloc'ed). */
char *config_path_of(const struct config *c, const char *p);
/* Where relative "driver" and "inf=" paths are: cli_dir (ndisd --drivers), else
   the file's "option drivers=", else the file's directory. */
int config_set_drivers_dir(struct config *c, const char *cli_dir);
/* An absolute path for a driver or INF file written in the file (malloc'ed). */
char *config_driver_path_of(const struct config *c, const char *p);

/* ---- listing.c ------------------------------------------------------------ */

/* The whole list (malloc'ed, *n entries), or NULL when out of memory. Call with
   host_lock held and the host alive. */
ndis_driver_info *host_drivers(unsigned *n);
ndis_adapter_info *host_adapters(unsigned *n);
ndis_binding_info *host_bindings(unsigned *n);
ndis_module_info *host_modules(unsigned *n);
ndis_inf_info *host_infs(unsigned *n);

/* ---- drivers.c ------------------------------------------------------------- */

struct driver_load {
    const char *path;       /* the .so */
    const char *name;       /* NULL: the INF's service, else the file's base name */
    const char *inf;        /* NULL: the INF next to the .so if there is one (libndis) */
};

/* Installs the INF, then loads the driver under its service name; name_out gets
   the name it was loaded under. On failure err says why, naming the driver. */
int drivers_load(const struct driver_load *dl, char *name_out, size_t name_len, char *err,
                 size_t errlen);
int drivers_unload(const char *name, char *err, size_t errlen);
/* Adds what the daemon and the INF installation know of a driver to obj: its
   file, INF, class, component and ranges. */
void drivers_describe(const char *name, json_t *obj);
/* The Ndi\params keywords of a driver's installed INF: an array of {keyword,
   type, default, description, optional}, or NULL without an INF. */
json_t *drivers_params(const char *name);
void drivers_forget_all(void);

/* ---- tracebus.c ------------------------------------------------------------ */

int tracebus_open_file(const char *path);
/* Call with host_lock held (read or write) and the host alive. */
void tracebus_attach_host(ndis_host *h);
/* Streams the trace to a connection until the client closes or the bus ends
   (a struct stream's run; fd -1: nothing to stream to). */
void tracebus_stream(int fd, void *ctx);
/* The instance is about to be destroyed: the trace stays on (the shutdown is
   traced) but listeners coming and going no longer touch the instance. */
void tracebus_freeze(void);
/* What the shutdown called, from the trace: counts of each stage and calls
   that came after a later stage had begun. */
struct shutdown_calls {
    unsigned unbinds, detaches, halts, unloads;
    unsigned out_of_order;
};
/* The instance is about to be destroyed (host_lock held for writing): as
   tracebus_freeze, and the trace is on to count the shutdown's calls. */
void tracebus_shutdown_begin(void);
void tracebus_shutdown_calls(struct shutdown_calls *out);
/* The instance is gone: every stream sends what is left, then "end", and returns. */
void tracebus_end(const char *reason);
void tracebus_close_file(void);

/* ---- capture.c ------------------------------------------------------------ */

#define CAPTURE_MAX_SNAPLEN 65535u
#define CAPTURE_RING_DEFAULT (4u << 20)
#define CAPTURE_RING_MIN (128u << 10) /* two records of the largest frame */

/* Starts a capture session (host_lock held): ctx is for capture_stream;
   *snaplen_out the bytes kept of each frame. 0 or a host API errno. */
int capture_begin(const char *adapter, const char *at, unsigned snaplen, void **ctx,
                  unsigned *snaplen_out);
/* Streams a session's frames until the client, the adapter or the daemon ends
   it, then frees it (a struct stream's run). */
void capture_stream(int fd, void *ctx);
/* Stops every session (host_lock held for writing, the instance alive): each
   stream sends what is left and "end" with the reason. */
void capture_end_all(const char *reason);

/* ---- server.c -------------------------------------------------------------- */

int server_listen(const char *path, char *err, size_t errlen);
/* Accepts connections until SIGTERM or SIGINT arrives on sigfd (a signalfd);
   SIGHUP reopens the log. Returns the signal that ended it. */
int server_run(int sigfd);
/* Stops accepting, wakes idle connections; streaming ones stay until tracebus_end. */
void server_stop_accepting(void);
/* Closes every connection and waits (bounded) for their threads. */
void server_finish(void);

/* ---- commands.c ------------------------------------------------------------ */

/* What a streaming command leaves to the connection thread once its response
   is sent: run(fd, ctx) streams until the client or the stream ends, and owns
   ctx (it is called with fd -1 when the response could not be sent). */
struct stream {
    void (*run)(int fd, void *ctx);
    void *ctx;
};

/* Handles one request; returns the response (never NULL). stream->run is set
   for streaming commands, whose response is followed by the stream. */
json_t *commands_handle(json_t *req, struct stream *stream);

#endif /* NDISD_H */
