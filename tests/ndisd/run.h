/*
 * run.h - running ndisd and ndisctl from a test: a daemon on a temporary
 * socket with a generated configuration, ndisctl with its output captured.
 */
#ifndef NDISD_TEST_RUN_H
#define NDISD_TEST_RUN_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

struct daemon {
    pid_t pid;
    char dir[256];     /* the test's scratch directory */
    char sock[300];
    char log[300];
    char conf[300];
    char trace[300];
};

/* Writes `conf` (a printf format; %D is replaced by the drivers directory). */
void write_config(struct daemon *d, const char *text);
/* Starts ndisd --foreground with the config, socket, log and trace file of d plus
   `extra` arguments (NULL-terminated); returns once it is ready. */
void daemon_start(struct daemon *d, const char *const *extra);
/* SIGTERM, then waits (bounded); returns the exit status. */
int daemon_stop(struct daemon *d);
/* The whole log so far (malloc'ed). */
char *daemon_log(const struct daemon *d);

/* Runs argv; captures stdout and stderr (malloc'ed); returns the exit status. */
int run_capture(const char *const *argv, char **out, char **err);
/* ndisctl -s <sock> <words...>: words split on blanks. */
int ctl(const struct daemon *d, char **out, char **err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* ndisctl --json: the parsed response (exit status in *status). */
json_t *ctl_json(const struct daemon *d, int *status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A test stack: ndtmp with adapters t0 and t1, ndtproto, ndtfilter (all with
   their INF files), written as d's configuration and started. */
void start_stack(struct daemon *d, const char *const *extra);

/* A protocol connection to d's socket (the test's own client). */
int raw_connect(const struct daemon *d);
/* Sends {"v": 1, "cmd": cmd, "args": args} (args stolen, NULL: {}) and reads
   the response (bounded). */
json_t *raw_request(int fd, const char *cmd, json_t *args);
/* The result of a successful response (the test fails otherwise). */
json_t *result_of(json_t *resp);
/* The element of an array whose `key` is the string `value`, or NULL. */
json_t *find_by(json_t *array, const char *key, const char *value);
/* A string member, "" when absent. */
const char *str_of(json_t *o, const char *key);

#endif /* NDISD_TEST_RUN_H */
