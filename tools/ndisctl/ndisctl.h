/*
 * ndisctl.h - ndisctl's modules:
 *
 *   main.c     options, the connection to ndisd, request and response, exit status
 *   args.c     a command line into a request's "args"
 *   print.c    responses as tables and text (or JSON with --json); the trace
 *   capture.c  a capture stream into a pcap file
 *   help.c     the help texts; table.c aligned tables
 */
#ifndef NDISCTL_H
#define NDISCTL_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define EXIT_UNREACHABLE 3

#define CMDLINE_MAX_POS 8

struct cmdline {
    const char *cmd;          /* as typed: "oid", "params" ... */
    const char *proto_cmd;    /* the protocol's command: "oid", "oid-names" ... */
    int argc;                 /* the command's own arguments */
    char **argv;
    int npos;
    const char *pos[CMDLINE_MAX_POS];
    json_t *args;             /* the request's "args" */
};

extern bool g_json;
extern volatile sig_atomic_t g_interrupted;

/* ---- args.c ---------------------------------------------------------------- */

/* Prints "ndisctl: <message>" and the command's usage, exits EXIT_USAGE. */
void usage_fail(const char *cmd, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
/* Fills c->args and c->proto_cmd from the command line (exits on usage errors). */
void args_build(struct cmdline *c);

/* ---- print.c --------------------------------------------------------------- */

void print_json(json_t *v, bool pretty, FILE *out);
/* A successful response's result, as the command's table or text. */
void print_result(const struct cmdline *c, json_t *result, FILE *out);

struct trace_printer {
    bool started;
    unsigned long long t0;    /* time_ns of the first event */
};
void trace_printer_init(struct trace_printer *tp);
void trace_print(struct trace_printer *tp, json_t *ev, FILE *out);

/* ---- capture.c ------------------------------------------------------------- */

/*
 * Reads a capture stream from fd (after its response) into the pcap file
 * named by c->args "file" ("-": standard output). Returns the exit status.
 */
int capture_run(int fd, const struct cmdline *c, json_t *response);

#endif /* NDISCTL_H */
