/*
 * test_verifier.c - what the verifier does with a driver that breaks a rule
 * (issue 2, "Execution model" and "Bad input"): a DDI called at the wrong IRQL
 * is reported naming the DDI and the compliance rule, fails safely in log mode
 * and aborts (as a bugcheck would) in the default mode; a handler that returns a
 * status its page does not allow is reported and NDIS carries on consistently.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kit.h"
#include "test.h"

static void raise_to_dispatch(KIRQL *old)
{
    KeRaiseIrql(DISPATCH_LEVEL, old);
}

static ndis_host *one_binding(void);

TEST(irql_violation_names_the_ddi_and_rule_and_fails_safely)
{
    ndis_host *h = one_binding();
    KIRQL old;
    raise_to_dispatch(&old);
    /* NdisDeregisterProtocolDriver runs at PASSIVE_LEVEL only. */
    NdisDeregisterProtocolDriver(kit_proto_handle(0));
    KeLowerIrql(old);
    T_EQ(kit_reports_matching("NdisDeregisterProtocolDriver"), 1);
    T_EQ(kit_reports_matching("Irql_Protocol_Driver_Function"), 1);
    kit_expect_reports(1, "IRQL");
    /* Refused, not half done: the binding is still there and still works. */
    ndis_host_counts c;
    T_EQ(ndis_host_get_counts(h, &c), 0);
    T_EQ(c.bindings, 1);
    T_EQ(kit_proto_send(0, "a0", 2, 60, NULL), 2);
    T_EQ(atomic_load(&kit_proto[0].send_completed), 2);
    T_EQ(kit_log_count("ProtocolUnbindAdapterEx"), 0);
    kit_host_done(h);
}

TEST(default_policy_aborts_like_a_bugcheck_and_says_why)
{
    int fds[2];
    T_EQ(pipe(fds), 0);
    pid_t pid = fork();
    T_ASSERT(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        ndis_set_report_handler(NULL, NULL);
        ndis_set_verifier_policy(NDIS_VERIFIER_ABORT);
        KIRQL old;
        raise_to_dispatch(&old);
        NdisMSleep(10); /* PASSIVE or APC only */
        _exit(0);       /* not reached */
    }
    close(fds[1]);
    char buf[2048] = {0};
    size_t got = 0;
    ssize_t r;
    while (got < sizeof(buf) - 1 && (r = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
        got += (size_t)r;
    close(fds[0]);
    int st = 0;
    T_EQ(waitpid(pid, &st, 0), pid);
    T_ASSERT(WIFSIGNALED(st));
    T_EQ(WTERMSIG(st), SIGABRT);
    T_CONTAINS(buf, "NdisMSleep");
    T_CONTAINS(buf, "Irql_Miniport_Driver_Function");
}

static ndis_host *one_binding(void)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    return h;
}

TEST(miniport_pause_failure_is_reported_and_the_adapter_pauses)
{
    ndis_host *h = one_binding();
    kit_mp.pause_status = NDIS_STATUS_FAILURE;
    T_EQ(ndis_host_pause_adapter(h, "a0"), 0);
    kit_expect_reports(1, "MiniportPause_Return");
    ndis_adapter_info ai;
    unsigned n;
    T_EQ(ndis_host_list_adapters(h, &ai, 1, &n), 0);
    T_STREQ(ai.state, "Paused");
    kit_mp.pause_status = NDIS_STATUS_SUCCESS;
    T_EQ(ndis_host_restart_adapter(h, "a0"), 0);
    kit_host_done(h);
}

TEST(unbind_failure_is_reported_and_the_binding_is_gone)
{
    ndis_host *h = one_binding();
    kit_proto[0].unbind_status = NDIS_STATUS_FAILURE;
    T_EQ(ndis_host_unload_driver(h, "kitp0"), 0);
    kit_expect_reports(1, "ProtocolUnbindAdapterEx returns NDIS_STATUS_SUCCESS or NDIS_STATUS_PENDING");
    ndis_host_counts c;
    T_EQ(ndis_host_get_counts(h, &c), 0);
    T_EQ(c.bindings, 0);
    kit_host_done(h);
}

TEST(filter_pause_failure_is_reported_and_the_stack_pauses)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitf0", kit_filter_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    kit_filter[0].pause_status = NDIS_STATUS_FAILURE;
    T_EQ(ndis_host_pause_adapter(h, "a0"), 0);
    kit_expect_reports(1, "FilterPause");
    ndis_module_info mi;
    unsigned n;
    T_EQ(ndis_host_list_modules(h, "a0", &mi, 1, &n), 0);
    T_STREQ(mi.state, "Paused");
    kit_filter[0].pause_status = NDIS_STATUS_SUCCESS;
    T_EQ(ndis_host_restart_adapter(h, "a0"), 0);
    kit_host_done(h);
}
