/*
 * test_os_string_misc.c - counted strings (Rtl*), NdisGetVersion, processor
 * queries, NdisWriteErrorLogEntry, DbgPrint/DbgPrintEx/KdPrint formatting and
 * filtering, RtlAssert.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "os_test.h"

static const WCHAR w_hello[] = u"Hello";
static const WCHAR w_hello_lc[] = u"hELLo";

TEST(init_strings)
{
    t_capture();
    UNICODE_STRING u;
    RtlInitUnicodeString(&u, w_hello);
    T_EQ(u.Length, 10);
    T_EQ(u.MaximumLength, 12);
    T_ASSERT(u.Buffer == w_hello);
    RtlInitUnicodeString(&u, NULL);
    T_EQ(u.Length, 0);
    T_EQ(u.MaximumLength, 0);
    T_ASSERT(u.Buffer == NULL);
    NdisInitUnicodeString(&u, w_hello);
    T_EQ(u.Length, 10);
    STRING s;
    ANSI_STRING a;
    RtlInitString(&s, "abc");
    T_EQ(s.Length, 3);
    T_EQ(s.MaximumLength, 4);
    RtlInitAnsiString(&a, "");
    T_EQ(a.Length, 0);
    T_EQ(a.MaximumLength, 1);
    RtlInitAnsiString(&a, NULL);
    T_EQ(a.MaximumLength, 0);
    T_EQ(t_reports(), 0);
    t_os_end();
}

TEST(copy_compare_equal)
{
    t_capture();
    UNICODE_STRING src, lc, dst;
    WCHAR buf[4];
    RtlInitUnicodeString(&src, w_hello);
    RtlInitUnicodeString(&lc, w_hello_lc);
    dst.Buffer = buf;
    dst.MaximumLength = sizeof(buf);
    dst.Length = 0;
    RtlCopyUnicodeString(&dst, &src); /* truncated to MaximumLength */
    T_EQ(dst.Length, 8);
    T_EQ(dst.MaximumLength, 8);
    T_ASSERT(memcmp(buf, u"Hell", 8) == 0);
    WCHAR big[16];
    dst.Buffer = big;
    dst.MaximumLength = sizeof(big);
    RtlCopyUnicodeString(&dst, &src);
    T_EQ(dst.Length, 10);
    T_EQ(big[5], 0); /* terminated when there is room */
    RtlCopyUnicodeString(&dst, NULL);
    T_EQ(dst.Length, 0);

    T_EQ(RtlEqualUnicodeString(&src, &lc, FALSE), FALSE);
    T_EQ(RtlEqualUnicodeString(&src, &lc, TRUE), TRUE);
    T_EQ(RtlCompareUnicodeString(&src, &lc, TRUE), 0);
    T_ASSERT(RtlCompareUnicodeString(&src, &lc, FALSE) < 0); /* 'H' < 'h' */
    UNICODE_STRING hel;
    RtlInitUnicodeString(&hel, u"Hel");
    T_ASSERT(RtlCompareUnicodeString(&hel, &src, FALSE) < 0); /* prefix is less */
    T_ASSERT(RtlCompareUnicodeString(&src, &hel, FALSE) > 0);
    T_EQ(RtlEqualUnicodeString(&hel, &src, TRUE), FALSE);

    /* Case folding beyond ASCII: Latin-1, Latin Extended-A, Greek, Cyrillic. */
    UNICODE_STRING x, y;
    RtlInitUnicodeString(&x, u"\u00e9t\u00e9 \u0105 \u03b1\u03c2 \u0436\u0451 \u00ff");
    RtlInitUnicodeString(&y, u"\u00c9T\u00c9 \u0104 \u0391\u03a3 \u0416\u0401 \u0178");
    T_EQ(RtlEqualUnicodeString(&x, &y, TRUE), TRUE);
    T_EQ(RtlEqualUnicodeString(&x, &y, FALSE), FALSE);
    T_EQ(t_reports(), 0);
    /* At DISPATCH_LEVEL: reported (PASSIVE_LEVEL routines), result still right. */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    T_EQ(RtlEqualUnicodeString(&src, &lc, TRUE), TRUE);
    KeLowerIrql(old);
    T_EQ(t_reported("RtlEqualUnicodeString", "PASSIVE_LEVEL"), 1);
    t_os_end();
}

TEST(ansi_unicode_conversion)
{
    t_capture();
    struct ndisi_image *img = t_image("strdrv");
    struct ndisi_cbframe f;
    t_enter(&f, img, PASSIVE_LEVEL);
    ANSI_STRING a;
    UNICODE_STRING u;
    /* Code page 1252: 0xe9 is e-acute, 0x80 the euro sign. */
    RtlInitAnsiString(&a, "caf\xe9 \x80");
    T_EQ(RtlAnsiStringToUnicodeString(&u, &a, TRUE), STATUS_SUCCESS);
    T_EQ(u.Length, 12);
    T_EQ(u.MaximumLength, 14);
    T_ASSERT(memcmp(u.Buffer, u"caf\u00e9 \u20ac", 14) == 0);
    unsigned long count;
    ndisi_memacct_totals(&img->mem, NULL, &count);
    T_EQ(count, 1); /* charged to the calling driver */

    ANSI_STRING back;
    T_EQ(RtlUnicodeStringToAnsiString(&back, &u, TRUE), STATUS_SUCCESS);
    T_EQ(back.Length, 6);
    T_EQ(back.MaximumLength, 7);
    T_STREQ(back.Buffer, "caf\xe9 \x80");
    RtlFreeAnsiString(&back);
    T_ASSERT(back.Buffer == NULL);

    /* Characters 1252 cannot hold become '?'. */
    UNICODE_STRING greek;
    RtlInitUnicodeString(&greek, u"\u03a9x");
    T_EQ(RtlUnicodeStringToAnsiString(&back, &greek, TRUE), STATUS_SUCCESS);
    T_STREQ(back.Buffer, "?x");
    RtlFreeAnsiString(&back);

    /* Caller buffers: overflow status, partial conversion for ANSI. */
    char small[4];
    back.Buffer = small;
    back.MaximumLength = sizeof(small);
    T_EQ(RtlUnicodeStringToAnsiString(&back, &u, FALSE), STATUS_BUFFER_OVERFLOW);
    T_EQ(back.Length, 3);
    T_STREQ(small, "caf");
    WCHAR wsmall[3];
    UNICODE_STRING us = {0, sizeof(wsmall), wsmall};
    T_EQ(RtlAnsiStringToUnicodeString(&us, &a, FALSE), STATUS_BUFFER_OVERFLOW);
    WCHAR wbig[8];
    UNICODE_STRING ub = {0, sizeof(wbig), wbig};
    T_EQ(RtlAnsiStringToUnicodeString(&ub, &a, FALSE), STATUS_SUCCESS);
    T_EQ(ub.Length, 12);
    T_EQ(wbig[6], 0);

    RtlFreeUnicodeString(&u);
    T_ASSERT(u.Buffer == NULL && u.Length == 0);
    /* Freeing a buffer these routines did not allocate is reported. */
    UNICODE_STRING notmine;
    RtlInitUnicodeString(&notmine, w_hello);
    RtlFreeUnicodeString(&notmine);
    T_EQ(t_reported("RtlFreeUnicodeString", "not a live block"), 1);
    t_leave(&f);
    T_EQ(t_reports(), 1);
    t_image_done(img);
    t_os_end();
}

TEST(version_and_processors)
{
    t_capture();
    T_EQ(NdisGetVersion(), 0x00060052u);
    T_EQ(NdisGetVersion(), NDIS_RUNTIME_VERSION_682);
    CCHAR n = NdisSystemProcessorCount();
    T_ASSERT(n >= 1 && n <= 64);
    T_EQ(n, sysconf(_SC_NPROCESSORS_CONF) > 64 ? 64 : sysconf(_SC_NPROCESSORS_CONF));
    for (int i = 0; i < 100; i++)
        T_ASSERT(KeGetCurrentProcessorNumber() < (ULONG)n);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    (void)NdisSystemProcessorCount(); /* PASSIVE_LEVEL only */
    KeLowerIrql(old);
    T_EQ(t_reported("NdisSystemProcessorCount", "Irql_Miscellaneous_Function"), 1);
    t_os_end();
}

TEST(error_log_entry)
{
    t_capture();
    struct ndisi_image *img = t_image("errlog");
    NdisWriteErrorLogEntry(t_h(img), 0xC000138Du, 2, (ULONG)0x11, (ULONG)0xdeadbeef);
    T_EQ(t_diags("error log: driver 'errlog'"), 1);
    T_EQ(t_diags("0xc000138d, 2 values: 0x00000011 0xdeadbeef"), 1);
    NdisWriteErrorLogEntry(NULL, 1, 0);
    T_EQ(t_reported("NdisWriteErrorLogEntry", "NULL"), 1);
    t_image_done(img);
    t_os_end();
}

/* Captures what fn writes to stderr. */
static void capture_stderr(void (*fn)(void *), void *arg, char *out, size_t len)
{
    char path[] = "/tmp/ndis-dbg-XXXXXX";
    int fd = mkstemp(path);
    T_ASSERT(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    fn(arg);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, out, len - 1);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
}

static void print_things(void *arg)
{
    struct ndisi_image *img = arg;
    struct ndisi_cbframe f;
    UNICODE_STRING u;
    ANSI_STRING a;
    RtlInitUnicodeString(&u, u"adapter\u00e9");
    RtlInitAnsiString(&a, "ansi");
    t_enter(&f, img, PASSIVE_LEVEL);
    LONG neg = -5;
    ULONG big = 0xfffffffeu;
    DbgPrint("n=%d l=%ld lu=%lu x=%08lx I64=%I64d ll=%llu wZ=%wZ Z=%Z ws=%ws s=%-4s| c=%c wc=%wc "
             "pct=%% p=%p\n",
             42, neg, big, (ULONG)0xbeef, (LONGLONG)-9000000000LL, 12345678901ULL, &u, &a,
             u"wide", "ab", 'q', (int)u'\u00e9', (void *)0x1234);
    DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_ERROR_LEVEL, "error %u\n", 1u);
    DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_TRACE_LEVEL, "trace %u\n", 2u);
    KdPrint(("kd %s\n", "print"));
    t_leave(&f);
    DbgPrint("outside\n");
}

TEST(dbgprint_formats_windows_style)
{
    t_capture();
    unsetenv("NDIS_DBGPRINT_MASK");
    struct ndisi_image *img = t_image("dbgdrv");
    char out[2048];
    capture_stderr(print_things, img, out, sizeof(out));
    T_CONTAINS(out, "[dbgdrv] n=42 l=-5 lu=4294967294 x=0000beef I64=-9000000000 "
                    "ll=12345678901 wZ=adapter\xc3\xa9 Z=ansi ws=wide s=ab  | c=q "
                    "wc=\xc3\xa9 pct=% p=");
    T_CONTAINS(out, "0000000000001234\n");
    T_CONTAINS(out, "[dbgdrv] error 1\n");
    T_ASSERT(strstr(out, "trace 2") == NULL); /* filtered like Windows' default */
#ifndef NDEBUG
    T_CONTAINS(out, "[dbgdrv] kd print\n");
#endif
    T_CONTAINS(out, "[no driver] outside\n");
    T_EQ(t_reports(), 0);
    t_image_done(img);
    t_os_end();
}

static void print_trace(void *arg)
{
    (void)arg;
    DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_TRACE_LEVEL, "trace %u\n", 2u);
    DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_MASK | 0x8, "mask %u\n", 3u);
}

TEST(dbgprintex_mask_from_environment)
{
    setenv("NDIS_DBGPRINT_MASK", "0xc", 1); /* trace (bit 2) and info (bit 3) */
    char out[512];
    capture_stderr(print_trace, NULL, out, sizeof(out));
    T_CONTAINS(out, "trace 2\n");
    T_CONTAINS(out, "mask 3\n");
    t_os_end();
}

static int report_pipe = -1;

static void report_to_pipe(void *ctx, const ndis_report *r)
{
    (void)ctx;
    char line[1200];
    int n = snprintf(line, sizeof(line), "%s|%s|%s", r->ddi, r->rule, r->message);
    if (write(report_pipe, line, (size_t)n) < 0)
        _exit(3);
}

TEST(rtl_assert_reports_and_aborts)
{
    int fds[2];
    T_EQ(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    T_ASSERT(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        report_pipe = fds[1];
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 2);
        /* Even with the "log" policy an assertion stops the process. */
        ndis_set_verifier_policy(NDIS_VERIFIER_LOG);
        ndis_set_report_handler(report_to_pipe, NULL);
        struct ndisi_image *img = t_image("asserting");
        struct ndisi_cbframe f;
        t_enter(&f, img, PASSIVE_LEVEL);
        ASSERTMSG("oops", 1 == 2);
        RtlAssert((PVOID) "x == 1", (PVOID) "drv.c", 12, (PCHAR) "oops");
        _exit(0); /* not reached */
    }
    close(fds[1]);
    char buf[1300] = "";
    ssize_t n = read(fds[0], buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    close(fds[0]);
    int st;
    waitpid(pid, &st, 0);
    T_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
    T_CONTAINS(buf, "RtlAssert|a driver assertion");
    T_CONTAINS(buf, "driver 'asserting': oops: ");
#ifndef NDEBUG
    T_CONTAINS(buf, "1 == 2 (");
    T_CONTAINS(buf, "test_os_string_misc.c:");
#endif
    t_os_end();
}
