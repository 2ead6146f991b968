/*
 * reg_persist.c - the store directory: lock, load, atomic replace.
 *
 * A write goes to REG_TMP_NAME, is fsync'ed, renamed over REG_FILE_NAME and
 * the directory is fsync'ed. rename() replaces the name atomically, so the
 * file a reader (or a restart) sees is always a whole old or a whole new
 * version; the fsyncs make the new one durable before the caller is told so.
 * docs/registry.md has the full argument.
 */
#include "registry/registry.h"
#include "registry/reg_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define REG_MAX_FILE_SIZE (64u << 20)

int (*reg_test_hook)(const char *step);

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

static void fsync_parent(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return;
    char *slash = strrchr(copy, '/');
    const char *parent = ".";
    if (slash == copy)
        parent = "/";
    else if (slash) {
        *slash = 0;
        parent = copy;
    }
    int fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(copy);
}

/* mkdir -p; each directory it creates is made durable in its parent. */
static int make_dirs(const char *dir, char *err, size_t errlen)
{
    char *p = strdup(dir);
    if (!p)
        return -ENOMEM;
    size_t len = strlen(p);
    while (len > 1 && p[len - 1] == '/')
        p[--len] = 0;
    for (size_t i = 1; i <= len; i++) {
        if (p[i] != '/' && p[i] != 0)
            continue;
        char c = p[i];
        p[i] = 0;
        if (mkdir(p, 0755) == 0) {
            fsync_parent(p);
        } else if (errno != EEXIST) {
            int e = errno;
            fail(err, errlen, -e, "cannot create directory %s: %s", p, strerror(e));
            free(p);
            return -e;
        }
        p[i] = c;
    }
    free(p);
    return 0;
}

int reg_disk_open(reg_disk *d, const char *dir, char *err, size_t errlen)
{
    memset(d, 0, sizeof(*d));
    d->dirfd = d->lockfd = -1;
    d->dir = strdup(dir);
    if (!d->dir)
        return fail(err, errlen, -ENOMEM, "out of memory");
    int rc = make_dirs(dir, err, errlen);
    if (rc)
        goto out;
    d->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d->dirfd < 0) {
        rc = -errno;
        fail(err, errlen, rc, "cannot open directory %s: %s", dir, strerror(-rc));
        goto out;
    }
    d->lockfd = openat(d->dirfd, REG_LOCK_NAME, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (d->lockfd < 0) {
        rc = -errno;
        fail(err, errlen, rc, "cannot open %s/%s: %s", dir, REG_LOCK_NAME, strerror(-rc));
        goto out;
    }
    if (flock(d->lockfd, LOCK_EX | LOCK_NB) < 0) {
        rc = -errno;
        if (rc == -EWOULDBLOCK) {
            char pid[32] = "";
            ssize_t n = pread(d->lockfd, pid, sizeof(pid) - 1, 0);
            pid[n > 0 ? n : 0] = 0;
            pid[strcspn(pid, "\n")] = 0;
            rc = fail(err, errlen, -EBUSY,
                      "registry %s is in use: %s/%s is locked by %s%s", dir, dir,
                      REG_LOCK_NAME, pid[0] ? "pid " : "another process", pid);
        } else {
            fail(err, errlen, rc, "cannot lock %s/%s: %s", dir, REG_LOCK_NAME, strerror(-rc));
        }
        goto out;
    }
    /* Name the holder, for the message a second opener prints. */
    char pid[32];
    int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
    if (ftruncate(d->lockfd, 0) < 0 || pwrite(d->lockfd, pid, (size_t)n, 0) != n) {
        /* Only the message of a competing opener depends on it. */
    }
    const char *crash = getenv("NDIS_REG_CRASH_AT");
    if (crash && *crash && !(d->crash_step = strdup(crash))) {
        rc = fail(err, errlen, -ENOMEM, "out of memory");
        goto out;
    }
    return 0;
out:
    reg_disk_close(d);
    return rc;
}

void reg_disk_close(reg_disk *d)
{
    if (d->lockfd >= 0)
        close(d->lockfd); /* releases the flock */
    if (d->dirfd >= 0)
        close(d->dirfd);
    d->lockfd = d->dirfd = -1;
    free(d->dir);
    free(d->crash_step);
    d->dir = d->crash_step = NULL;
}

int reg_disk_load(reg_disk *d, reg_node *root, char *err, size_t errlen)
{
    /* A temporary file is only ever a write that did not reach rename():
     * the file it was meant to replace is still the current one. */
    if (unlinkat(d->dirfd, REG_TMP_NAME, 0) < 0 && errno != ENOENT) {
        int e = errno;
        return fail(err, errlen, -e, "cannot remove stale %s/%s: %s", d->dir, REG_TMP_NAME,
                    strerror(e));
    }
    int fd = openat(d->dirfd, REG_FILE_NAME, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0; /* a new store */
        int e = errno;
        return fail(err, errlen, -e, "cannot open %s/%s: %s", d->dir, REG_FILE_NAME, strerror(e));
    }
    struct stat sb;
    int rc = 0;
    char *data = NULL;
    if (fstat(fd, &sb) < 0) {
        rc = -errno;
        fail(err, errlen, rc, "cannot stat %s/%s: %s", d->dir, REG_FILE_NAME, strerror(-rc));
        goto out;
    }
    if (!S_ISREG(sb.st_mode) || sb.st_size > (off_t)REG_MAX_FILE_SIZE) {
        rc = fail(err, errlen, -EBADMSG, "%s/%s: not a regular file of at most %u bytes", d->dir,
                  REG_FILE_NAME, REG_MAX_FILE_SIZE);
        goto out;
    }
    size_t size = (size_t)sb.st_size, got = 0;
    data = malloc(size + 1);
    if (!data) {
        rc = fail(err, errlen, -ENOMEM, "out of memory");
        goto out;
    }
    while (got < size) {
        ssize_t n = read(fd, data + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = -errno;
            fail(err, errlen, rc, "cannot read %s/%s: %s", d->dir, REG_FILE_NAME, strerror(-rc));
            goto out;
        }
        if (n == 0)
            break; /* shrank while we read it: parse what is there, strictly */
        got += (size_t)n;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", d->dir, REG_FILE_NAME);
    rc = reg_format_parse(data, got, root, path, err, errlen);
out:
    free(data);
    close(fd);
    return rc;
}

static int step(const reg_disk *d, const char *name)
{
    if (d->crash_step && strcmp(d->crash_step, name) == 0)
        kill(getpid(), SIGKILL);
    return reg_test_hook ? reg_test_hook(name) : 0;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int reg_disk_save(reg_disk *d, const reg_node *root, const reg_node *skip, bool *committed,
                  char *err, size_t errlen)
{
    reg_buf b = {0};
    int fd = -1, rc;
    const char *what = "serialize";
    *committed = false;

    rc = reg_format_write(root, skip, &b);
    if (rc)
        goto fail;
    what = "create";
    if ((rc = step(d, "tmp-open")))
        goto fail;
    fd = openat(d->dirfd, REG_TMP_NAME, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                0644);
    if (fd < 0) {
        rc = -errno;
        goto fail;
    }
    what = "write";
    size_t half = b.len / 2;
    if ((rc = write_all(fd, b.p, half)) || (rc = step(d, "tmp-partial")) ||
        (rc = write_all(fd, b.p + half, b.len - half)) || (rc = step(d, "tmp-written")))
        goto fail;
    what = "fsync";
    if (fsync(fd) < 0) {
        rc = -errno;
        goto fail;
    }
    if ((rc = step(d, "tmp-synced")))
        goto fail;
    what = "close";
    rc = close(fd) < 0 ? -errno : 0;
    fd = -1;
    if (rc)
        goto fail;
    what = "rename";
    if (renameat(d->dirfd, REG_TMP_NAME, d->dirfd, REG_FILE_NAME) < 0) {
        rc = -errno;
        goto fail;
    }
    *committed = true;
    what = "fsync directory after renaming";
    if ((rc = step(d, "renamed")))
        goto fail;
    if (fsync(d->dirfd) < 0) {
        rc = -errno;
        goto fail;
    }
    if ((rc = step(d, "done")))
        goto fail;
    free(b.p);
    if (err && errlen)
        err[0] = 0;
    return 0;

fail:
    if (fd >= 0)
        close(fd);
    if (!*committed)
        (void)unlinkat(d->dirfd, REG_TMP_NAME, 0);
    free(b.p);
    if (rc > 0) /* a hook returned a positive errno */
        rc = -rc;
    return fail(err, errlen, rc, "%s %s/%s: %s%s", what, d->dir,
                *committed ? REG_FILE_NAME : REG_TMP_NAME, strerror(-rc),
                *committed ? " (the new content is in place but may not be durable)" : "");
}
