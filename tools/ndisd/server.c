/*
 * server.c - the control socket. A Unix stream socket created with mode 0600
 * (so only its owner and root can connect at all) whose every connection is
 * checked again with SO_PEERCRED: uid 0 or the daemon's own uid, anything else
 * is told why and closed. One thread per connection reads requests (frames of
 * tools/common/proto.h) and writes responses; a "trace" or "capture" request
 * turns the connection into a stream.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ndisd.h"
#include "proto.h"

#define MAX_CONN 64
/* Once a frame started, the rest must come within this; a reply must be taken
   by the client within SEND_TIMEOUT_S (a client that stops reading is cut off
   instead of holding a daemon thread). */
#define FRAME_REST_MS 10000
#define SEND_TIMEOUT_S 10

struct conn {
    bool used;
    bool finished;   /* the thread is about to return */
    bool streaming;
    int fd;
    pid_t pid;
    uid_t uid;
    pthread_t thread;
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;
static struct conn g_conns[MAX_CONN];
static int g_listen = -1;
static char g_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static bool g_stopping;

static int mkdirs(const char *dir)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s", dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(tmp, 0755) && errno != EEXIST)
            return -errno;
        *p = '/';
    }
    if (mkdir(tmp, 0755) && errno != EEXIST)
        return -errno;
    return 0;
}

int server_listen(const char *path, char *err, size_t errlen)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sa.sun_path)) {
        snprintf(err, errlen, "socket path %s is longer than %zu bytes", path,
                 sizeof(sa.sun_path) - 1);
        return -ENAMETOOLONG;
    }
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = 0;
        int rc = mkdirs(dir);
        if (rc) {
            snprintf(err, errlen, "cannot create directory %s: %s", dir, strerror(-rc));
            return rc;
        }
    }
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            snprintf(err, errlen, "%s exists and is not a socket", path);
            return -EEXIST;
        }
        int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
            close(probe);
            snprintf(err, errlen, "another ndisd is listening on %s", path);
            return -EADDRINUSE;
        }
        if (probe >= 0)
            close(probe);
        unlink(path); /* a stale socket of a daemon that died */
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -errno;
    }
    mode_t old = umask(0177); /* the socket is born 0600 */
    int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    int e = errno;
    umask(old);
    if (rc == 0 && chmod(path, 0600) != 0)
        rc = -1, e = errno;
    if (rc == 0 && listen(fd, 16) != 0)
        rc = -1, e = errno;
    if (rc) {
        snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(e));
        close(fd);
        return -e;
    }
    g_listen = fd;
    snprintf(g_path, sizeof(g_path), "%s", path);
    return 0;
}

static void send_error(int fd, const char *errno_name, const char *msg)
{
    json_t *o = json_pack("{s:i, s:b, s:s, s:s}", "v", NDISD_PROTO_VERSION, "ok", 0, "error",
                          msg, "errno", errno_name);
    proto_write_json(fd, o);
    json_decref(o);
}

/*
 * Before closing on a client whose stream cannot be read: end our side and drop
 * what it already sent (a bounded amount), so it reads our answer and then the
 * end of the stream instead of a reset.
 */
static void discard_input(int fd)
{
    shutdown(fd, SHUT_WR);
    char junk[4096];
    for (int i = 0; i < 64; i++) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, i ? 0 : 50) <= 0 || recv(fd, junk, sizeof(junk), MSG_DONTWAIT) <= 0)
            break;
    }
}

/* Reads and answers requests until the client closes, the framing is lost or
   a request turns the connection into a stream. */
static void serve(struct conn *c)
{
    for (;;) {
        struct proto_frame f;
        char why[400];
        int rc = proto_read_frame(c->fd, -1, FRAME_REST_MS, NDISD_MAX_MSG, &f, why, sizeof(why));
        if (rc == 0)
            return;
        if (rc < 0) {
            /* The next frame cannot be found: say why, then close. */
            char msg[480];
            snprintf(msg, sizeof(msg), "bad message: %s; closing the connection", why);
            log_msg(LOG_KIND_WARN, "connection of pid %ld: %s", (long)c->pid, msg);
            send_error(c->fd, proto_errno_name(-rc), msg);
            discard_input(c->fd);
            return;
        }
        json_t *req = NULL;
        rc = proto_parse_json(&f, &req, why, sizeof(why));
        proto_frame_free(&f);
        if (rc) {
            char msg[480];
            snprintf(msg, sizeof(msg), "bad request: %s", why);
            send_error(c->fd, proto_errno_name(EBADMSG), msg);
            continue;
        }
        struct stream st = {0};
        json_t *resp = commands_handle(req, &st);
        json_decref(req);
        int wrc = proto_write_json(c->fd, resp);
        json_decref(resp);
        if (wrc == -EMSGSIZE) {
            /* Nothing was written: say so in a message that fits. */
            send_error(c->fd, "EMSGSIZE",
                       "the response is over the 64 MiB limit of a message; ask for less");
            if (st.run)
                st.run(-1, st.ctx);
            continue;
        }
        bool ok = wrc == 0;
        if (st.run) {
            if (ok) {
                pthread_mutex_lock(&g_lock);
                c->streaming = true;
                pthread_mutex_unlock(&g_lock);
            }
            st.run(ok ? c->fd : -1, st.ctx); /* always called: it owns ctx */
            return;
        }
        if (!ok)
            return;
    }
}

static void *conn_main(void *arg)
{
    struct conn *c = arg;
    serve(c);
    pthread_mutex_lock(&g_lock);
    c->finished = true;
    pthread_cond_broadcast(&g_cond);
    pthread_mutex_unlock(&g_lock);
    return NULL;
}

/* Joins connections whose thread ended; g_lock held. */
static void reap_locked(void)
{
    for (int i = 0; i < MAX_CONN; i++) {
        struct conn *c = &g_conns[i];
        if (c->used && c->finished) {
            pthread_join(c->thread, NULL);
            close(c->fd);
            c->used = false;
        }
    }
}

static void accept_one(void)
{
    int fd = accept4(g_listen, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
        if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
            log_msg(LOG_KIND_WARN, "accept on %s: %s", g_path, strerror(errno));
        return;
    }
    struct ucred cr;
    socklen_t len = sizeof(cr);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0) {
        log_msg(LOG_KIND_WARN, "refused a connection: SO_PEERCRED failed: %s", strerror(errno));
        close(fd);
        return;
    }
    uid_t self = geteuid();
    if (cr.uid != 0 && cr.uid != self) {
        char msg[256];
        snprintf(msg, sizeof(msg),
                 "permission denied: ndisd accepts only root and uid %u (the daemon's user); "
                 "you are uid %u",
                 (unsigned)self, (unsigned)cr.uid);
        log_msg(LOG_KIND_WARN, "refused a connection from pid %ld uid %u gid %u: not root or uid %u",
                (long)cr.pid, (unsigned)cr.uid, (unsigned)cr.gid, (unsigned)self);
        send_error(fd, "EACCES", msg);
        close(fd);
        return;
    }
    pthread_mutex_lock(&g_lock);
    reap_locked();
    struct conn *c = NULL;
    for (int i = 0; i < MAX_CONN && !c; i++)
        if (!g_conns[i].used)
            c = &g_conns[i];
    if (!c) {
        pthread_mutex_unlock(&g_lock);
        log_msg(LOG_KIND_WARN, "refused a connection from pid %ld: %d connections already open",
                (long)cr.pid, MAX_CONN);
        send_error(fd, "EBUSY", "too many connections to ndisd");
        close(fd);
        return;
    }
    struct timeval tv = {.tv_sec = SEND_TIMEOUT_S};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    memset(c, 0, sizeof(*c));
    c->used = true;
    c->fd = fd;
    c->pid = cr.pid;
    c->uid = cr.uid;
    if (pthread_create(&c->thread, NULL, conn_main, c) != 0) {
        c->used = false;
        pthread_mutex_unlock(&g_lock);
        send_error(fd, "ENOMEM", "ndisd cannot start a thread for the connection");
        close(fd);
        return;
    }
    pthread_mutex_unlock(&g_lock);
}

int server_run(int sigfd)
{
    for (;;) {
        struct pollfd p[2] = {{.fd = g_listen, .events = POLLIN}, {.fd = sigfd, .events = POLLIN}};
        int n = poll(p, 2, 1000);
        if (n < 0 && errno != EINTR) {
            log_msg(LOG_KIND_ERROR, "poll: %s", strerror(errno));
            return SIGTERM;
        }
        if (n > 0 && (p[1].revents & POLLIN)) {
            struct signalfd_siginfo si;
            if (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                if (si.ssi_signo == SIGHUP) {
                    int rc = log_reopen();
                    log_msg(rc ? LOG_KIND_WARN : LOG_KIND_INFO, "SIGHUP: log reopened%s%s",
                            rc ? ": " : "", rc ? strerror(-rc) : "");
                } else {
                    return (int)si.ssi_signo;
                }
            }
        }
        if (n > 0 && (p[0].revents & POLLIN))
            accept_one();
        pthread_mutex_lock(&g_lock);
        reap_locked();
        pthread_mutex_unlock(&g_lock);
    }
}

void server_stop_accepting(void)
{
    pthread_mutex_lock(&g_lock);
    g_stopping = true;
    if (g_listen >= 0) {
        close(g_listen);
        g_listen = -1;
        unlink(g_path);
    }
    /* Idle request connections see end of stream; a command in flight still
       gets its answer. Streams go on until the trace ends. */
    for (int i = 0; i < MAX_CONN; i++)
        if (g_conns[i].used && !g_conns[i].finished && !g_conns[i].streaming)
            shutdown(g_conns[i].fd, SHUT_RD);
    pthread_mutex_unlock(&g_lock);
}

void server_finish(void)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 5;
    bool cut = false;
    pthread_mutex_lock(&g_lock);
    for (;;) {
        reap_locked();
        bool any = false;
        for (int i = 0; i < MAX_CONN; i++)
            any |= g_conns[i].used;
        if (!any)
            break;
        if (pthread_cond_timedwait(&g_cond, &g_lock, &deadline) != ETIMEDOUT)
            continue;
        if (cut) {
            log_msg(LOG_KIND_WARN, "connection threads did not finish; exiting without them");
            break;
        }
        /* A client that does not read: cut it off. */
        for (int i = 0; i < MAX_CONN; i++)
            if (g_conns[i].used && !g_conns[i].finished)
                shutdown(g_conns[i].fd, SHUT_RDWR);
        cut = true;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += 2;
    }
    pthread_mutex_unlock(&g_lock);
}
