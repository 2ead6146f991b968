/*
 * test_config_host.c - the host API for parameters (ndishost.h) and the
 * instance's store: precedence (operator/driver value > value given at
 * adapter arrival > INF default > absent), deleting back to the default,
 * NdisWriteConfiguration persisted across a restart of the instance, a store
 * locked by another instance and a corrupt store refused.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cfg_test.h"

static ndis_host *host_in(const char *dir)
{
    ndis_host_options o = {.name = "cfg", .registry_dir = dir};
    ndis_host *h = kit_host_opts(&o);
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    return h;
}

TEST(operator_value_over_inf_default_and_delete_falls_back)
{
    ndis_host *h = host_in(NULL);
    /* An INF default for every adapter of kitmp, set before any adapter exists. */
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_DRIVER_DEFAULT, "kitmp", "*JumboPacket", "1514"), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a1", NULL), 0);

    NDIS_HANDLE c0 = cfg_open(kit_mp_handle("a0"));
    NDIS_HANDLE c1 = cfg_open(kit_mp_handle("a1"));
    T_EQ(cfg_int(c0, "*JumboPacket", NdisParameterInteger), 1514);
    T_EQ(cfg_int(c1, "*JumboPacket", NdisParameterInteger), 1514);
    T_STREQ(host_param(h, NDIS_PARAM_ADAPTER, "a0", "*JumboPacket"), "1514");

    /* The operator's value for a0 wins over the default; a1 keeps it. */
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0", "*JumboPacket", "9014"), 0);
    T_EQ(cfg_int(c0, "*JumboPacket", NdisParameterInteger), 9014);
    T_EQ(cfg_int(c1, "*JumboPacket", NdisParameterInteger), 1514);
    T_STREQ(host_param(h, NDIS_PARAM_ADAPTER, "a0", "*JumboPacket"), "9014");

    /* A default that changes later applies to existing adapters too, under
       the operator's value. */
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_DRIVER_DEFAULT, "kitmp", "*JumboPacket", "4088"), 0);
    T_EQ(cfg_int(c0, "*JumboPacket", NdisParameterInteger), 9014);
    T_EQ(cfg_int(c1, "*JumboPacket", NdisParameterInteger), 4088);

    /* Deleting the operator's value shows the default again. */
    T_EQ(ndis_host_delete_param(h, NDIS_PARAM_ADAPTER, "a0", "*JumboPacket"), 0);
    T_EQ(cfg_int(c0, "*JumboPacket", NdisParameterInteger), 4088);
    T_EQ(ndis_host_delete_param(h, NDIS_PARAM_ADAPTER, "a0", "*JumboPacket"), -ENOENT);
    /* Deleting the default: nothing left (NdisReadConfiguration fails). */
    T_EQ(ndis_host_delete_param(h, NDIS_PARAM_DRIVER_DEFAULT, "kitmp", "*JumboPacket"), 0);
    PNDIS_CONFIGURATION_PARAMETER p;
    T_EQ(cfg_read(c0, "*JumboPacket", NdisParameterInteger, &p), NDIS_STATUS_FAILURE);
    T_STREQ(host_param(h, NDIS_PARAM_ADAPTER, "a0", "*JumboPacket"), "(-2)");
    T_EQ(ndis_host_delete_param(h, NDIS_PARAM_DRIVER_DEFAULT, "kitmp", "*JumboPacket"), -ENOENT);
    NdisCloseConfiguration(c0);
    NdisCloseConfiguration(c1);

    /* The driver's own Parameters: its defaults and the operator's values,
       not an adapter's. */
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_DRIVER_DEFAULT, "kitmp", "Mode", "1"), 0);
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0", "Only", "x"), 0);
    NDIS_HANDLE d = cfg_open(kit_mp_driver_handle());
    T_EQ(cfg_int(d, "Mode", NdisParameterInteger), 1);
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_DRIVER, "kitmp", "Mode", "2"), 0);
    T_EQ(cfg_int(d, "Mode", NdisParameterInteger), 2);
    T_EQ(cfg_read(d, "Only", NdisParameterString, &p), NDIS_STATUS_FAILURE);
    T_STREQ(host_param(h, NDIS_PARAM_DRIVER, "kitmp", "Mode"), "2");
    T_STREQ(host_param(h, NDIS_PARAM_DRIVER_DEFAULT, "kitmp", "Mode"), "1");
    NdisCloseConfiguration(d);
    kit_host_done(h);
}

TEST(arrival_values_between_operator_and_default)
{
    ndis_host *h = host_in(NULL);
    static const unsigned char mac[6] = {0x02, 0x00, 0x4C, 0x4F, 0x4F, 0x50};
    ndis_adapter_config cfg = {.ifname = "tap7", .mac = mac};
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_DRIVER_DEFAULT, "kitmp", "*IfName", "dflt"), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", &cfg), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a1", NULL), 0);

    NDIS_HANDLE c = cfg_open(kit_mp_handle("a0"));
    T_STREQ(cfg_str(c, "*IfName"), "tap7");
    T_STREQ(cfg_str(c, "NetworkAddress"), "02-00-4C-4F-4F-50");
    T_STREQ(host_param(h, NDIS_PARAM_ADAPTER, "a0", "*IfName"), "tap7");
    T_STREQ(host_param(h, NDIS_PARAM_ADAPTER, "a0", "networkaddress"), "02-00-4C-4F-4F-50");
    NDIS_HANDLE c1 = cfg_open(kit_mp_handle("a1"));
    T_STREQ(cfg_str(c1, "*IfName"), "dflt");
    T_STREQ(cfg_str(c1, "NetworkAddress"), "(0xc0000001)");
    NdisCloseConfiguration(c1);

    /* The operator overrides what the adapter arrived with ... */
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0", "*IfName", "tap9"), 0);
    T_STREQ(cfg_str(c, "*IfName"), "tap9");
    /* ... until the value is deleted. */
    T_EQ(ndis_host_delete_param(h, NDIS_PARAM_ADAPTER, "a0", "*IfName"), 0);
    T_STREQ(cfg_str(c, "*IfName"), "tap7");
    NdisCloseConfiguration(c);

    /* Gone from the instance: only what is stored for the name remains. */
    T_EQ(ndis_host_remove_adapter(h, "a0"), 0);
    T_STREQ(host_param(h, NDIS_PARAM_ADAPTER, "a0", "*IfName"), "(-2)");
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0", "Kept", "1"), 0);
    T_STREQ(host_param(h, NDIS_PARAM_ADAPTER, "a0", "Kept"), "1");
    kit_host_done(h);
}

TEST(host_api_arguments)
{
    ndis_host *h = host_in(NULL);
    char buf[8];
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, NULL, "k", "v"), -EINVAL);
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "", "k", "v"), -EINVAL);
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "\\sub", "k", "v"), -EINVAL);
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0\\", "k", "v"), -EINVAL);
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0", NULL, "v"), -EINVAL);
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0", "k", NULL), -EINVAL);
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0", "k", "\xff"), -EINVAL);
    T_EQ(ndis_host_set_param(h, (ndis_param_scope)9, "a0", "k", "v"), -EINVAL);
    T_EQ(ndis_host_get_param(h, NDIS_PARAM_ADAPTER, "a0", "k", NULL, 8), -EINVAL);
    T_EQ(ndis_host_get_param(h, NDIS_PARAM_ADAPTER, "a0", "k", buf, 0), -EINVAL);
    T_EQ(ndis_host_get_param(h, NDIS_PARAM_ADAPTER, "a0", "k", buf, sizeof(buf)), -ENOENT);
    T_EQ(ndis_host_delete_param(h, NDIS_PARAM_DRIVER, "nobody", "k"), -ENOENT);
    /* A value that does not fit: -ERANGE and an empty buffer. */
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0", "Long", "0123456789"), 0);
    T_EQ(ndis_host_get_param(h, NDIS_PARAM_ADAPTER, "a0", "Long", buf, sizeof(buf)), -ERANGE);
    T_STREQ(buf, "");
    T_EQ(ndis_host_get_param(h, NDIS_PARAM_ADAPTER, "a0", "long", buf, 8), -ERANGE);
    /* The instance handle is checked like a DDI's. */
    T_EQ(ndis_host_set_param(NULL, NDIS_PARAM_ADAPTER, "a0", "k", "v"), -EINVAL);
    kit_expect_reports(1, "ndis_host_set_param");
    kit_host_done(h);
}

/* Writes of every type through a handle, then the same reads after the
 * instance is destroyed and created again on the same directory. */
static void write_all(NDIS_HANDLE c)
{
    T_EQ(cfg_write_int(c, "Mtu", NdisParameterInteger, 1514), NDIS_STATUS_SUCCESS);
    T_EQ(cfg_write_int(c, "Mask", NdisParameterHexInteger, 0x5EA), NDIS_STATUS_SUCCESS);
    T_EQ(cfg_write_str(c, "Name", "caf\xC3\xA9"), NDIS_STATUS_SUCCESS);
    NDIS_CONFIGURATION_PARAMETER p;
    NDIS_STATUS st;
    static WCHAR list[] = {'a', 0, 'b', 'c', 0, 0};
    memset(&p, 0, sizeof(p));
    p.ParameterType = NdisParameterMultiString;
    p.ParameterData.StringData.Buffer = list;
    p.ParameterData.StringData.Length = p.ParameterData.StringData.MaximumLength = sizeof(list);
    NdisWriteConfiguration(&st, c, us("List"), &p);
    T_EQ(st, NDIS_STATUS_SUCCESS);
    static UCHAR blob[] = {0x00, 0x01, 0xFF};
    memset(&p, 0, sizeof(p));
    p.ParameterType = NdisParameterBinary;
    p.ParameterData.BinaryData.Buffer = blob;
    p.ParameterData.BinaryData.Length = sizeof(blob);
    NdisWriteConfiguration(&st, c, us("Blob"), &p);
    T_EQ(st, NDIS_STATUS_SUCCESS);
}

static void read_all(NDIS_HANDLE c)
{
    PNDIS_CONFIGURATION_PARAMETER p;
    T_EQ(cfg_int(c, "Mtu", NdisParameterInteger), 1514);
    T_EQ(cfg_int(c, "Mask", NdisParameterHexInteger), 0x5EA);
    T_EQ(cfg_read(c, "Name", NdisParameterString, &p), NDIS_STATUS_SUCCESS);
    static const WCHAR name[] = {'c', 'a', 'f', 0xE9};
    T_EQ(p->ParameterData.StringData.Length, sizeof(name));
    T_ASSERT(memcmp(p->ParameterData.StringData.Buffer, name, sizeof(name)) == 0);
    T_EQ(cfg_read(c, "List", NdisParameterMultiString, &p), NDIS_STATUS_SUCCESS);
    static const WCHAR list[] = {'a', 0, 'b', 'c', 0, 0};
    T_EQ(p->ParameterData.StringData.Length, sizeof(list));
    T_ASSERT(memcmp(p->ParameterData.StringData.Buffer, list, sizeof(list)) == 0);
    T_EQ(cfg_read(c, "Blob", NdisParameterBinary, &p), NDIS_STATUS_SUCCESS);
    T_EQ(p->ParameterData.BinaryData.Length, 3);
    T_ASSERT(memcmp(p->ParameterData.BinaryData.Buffer, "\x00\x01\xFF", 3) == 0);
}

TEST(write_configuration_persists_across_restart)
{
    const char *dir = t_tmpdir();
    ndis_host *h = host_in(dir);
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_DRIVER_DEFAULT, "kitmp", "Mtu", "576"), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    NDIS_HANDLE c = cfg_open(kit_mp_handle("a0"));
    write_all(c);
    read_all(c);
    NdisCloseConfiguration(c);
    NDIS_HANDLE d = cfg_open(kit_mp_driver_handle());
    T_EQ(cfg_write_str(d, "DriverWide", "yes"), NDIS_STATUS_SUCCESS);
    NdisCloseConfiguration(d);
    kit_host_done(h);

    /* Written atomically to the directory's file before the call returned. */
    struct stat sb;
    char path[512];
    snprintf(path, sizeof(path), "%s/registry.txt", dir);
    T_EQ(stat(path, &sb), 0);

    h = host_in(dir); /* a new instance: INF defaults are gone, writes are not */
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    c = cfg_open(kit_mp_handle("a0"));
    read_all(c);
    NdisCloseConfiguration(c);
    d = cfg_open(kit_mp_driver_handle());
    T_STREQ(cfg_str(d, "DriverWide"), "yes");
    NdisCloseConfiguration(d);
    /* The host API sees the same values, as text. */
    T_STREQ(host_param(h, NDIS_PARAM_ADAPTER, "a0", "Mtu"), "1514");
    T_STREQ(host_param(h, NDIS_PARAM_ADAPTER, "a0", "Mask"), "5EA");
    T_STREQ(host_param(h, NDIS_PARAM_ADAPTER, "a0", "List"), "a\nbc");
    T_STREQ(host_param(h, NDIS_PARAM_ADAPTER, "a0", "Blob"), "0001ff");
    T_STREQ(host_param(h, NDIS_PARAM_DRIVER, "kitmp", "DriverWide"), "yes");
    /* Deleting the written value: no default any more (not persisted). */
    T_EQ(ndis_host_delete_param(h, NDIS_PARAM_ADAPTER, "a0", "Mtu"), 0);
    T_STREQ(host_param(h, NDIS_PARAM_ADAPTER, "a0", "Mtu"), "(-2)");
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0", "Operator", "1"), 0);
    kit_host_done(h);

    h = host_in(dir);
    T_STREQ(host_param(h, NDIS_PARAM_ADAPTER, "a0", "Mtu"), "(-2)");
    T_STREQ(host_param(h, NDIS_PARAM_ADAPTER, "a0", "Operator"), "1");
    kit_host_done(h);
}

TEST(memory_instances_forget_on_destroy)
{
    ndis_host *h = host_in(NULL);
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0", "k", "v"), 0);
    T_STREQ(host_param(h, NDIS_PARAM_ADAPTER, "a0", "k"), "v");
    /* Two memory instances at once: separate stores. */
    ndis_host *h2 = NULL;
    ndis_host_options o = {.name = "second", .wait_timeout_ms = 3000};
    T_EQ(ndis_host_create(&o, &h2), 0);
    char buf[8];
    T_EQ(ndis_host_get_param(h2, NDIS_PARAM_ADAPTER, "a0", "k", buf, sizeof(buf)), -ENOENT);
    T_EQ(ndis_host_destroy(h2), 0);
    kit_host_done(h);
    h = host_in(NULL);
    T_STREQ(host_param(h, NDIS_PARAM_ADAPTER, "a0", "k"), "(-2)");
    kit_host_done(h);
}

TEST(store_locked_by_another_instance)
{
    const char *dir = t_tmpdir();
    ndis_host *h = host_in(dir);
    ndis_set_diag_handler(cfg_on_diag, NULL);
    cfg_diag_text[0] = 0;
    ndis_host_options o = {.name = "second", .registry_dir = dir, .wait_timeout_ms = 3000};
    ndis_host *h2 = (ndis_host *)(uintptr_t)1;
    T_EQ(ndis_host_create(&o, &h2), -EBUSY);
    T_ASSERT(h2 == NULL);
    T_CONTAINS(cfg_diag_text, "instance 'second': cannot open the configuration store");
    T_CONTAINS(cfg_diag_text, "is in use");
    T_CONTAINS(cfg_diag_text, dir);

    /* Another process is refused the same way. */
    pid_t pid = fork();
    T_ASSERT(pid >= 0);
    if (pid == 0) {
        ndis_host *h3 = NULL;
        _exit(ndis_host_create(&o, &h3) == -EBUSY ? 0 : 1);
    }
    int status;
    T_EQ(waitpid(pid, &status, 0), pid);
    T_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    kit_host_done(h);

    /* Released at destroy: the next instance opens it. */
    T_EQ(ndis_host_create(&o, &h2), 0);
    T_EQ(ndis_host_destroy(h2), 0);
}

TEST(corrupt_store_refused)
{
    const char *dir = t_tmpdir();
    char path[512];
    snprintf(path, sizeof(path), "%s/registry.txt", dir);
    static const char junk[] = "ndis-registry 1\nkey \"Adapters\"\nend crc32 00000000\n";
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    T_ASSERT(fd >= 0);
    T_EQ(write(fd, junk, sizeof(junk) - 1), (long)(sizeof(junk) - 1));
    close(fd);

    ndis_set_diag_handler(cfg_on_diag, NULL);
    cfg_diag_text[0] = 0;
    ndis_host_options o = {.name = "cfg", .registry_dir = dir, .wait_timeout_ms = 3000};
    ndis_host *h = NULL;
    T_EQ(ndis_host_create(&o, &h), -EIO);
    T_ASSERT(h == NULL);
    T_CONTAINS(cfg_diag_text, "registry.txt:3:");
    T_CONTAINS(cfg_diag_text, "checksum");
    /* The file is left for the operator, untouched. */
    struct stat sb;
    T_EQ(stat(path, &sb), 0);
    T_EQ(sb.st_size, (long)(sizeof(junk) - 1));

    /* A directory that cannot be created is an I/O error too. */
    snprintf(path, sizeof(path), "%s/registry.txt/sub", dir);
    o.registry_dir = path;
    T_EQ(ndis_host_create(&o, &h), -EIO);
    o.registry_dir = "";
    T_EQ(ndis_host_create(&o, &h), -EINVAL);
}
