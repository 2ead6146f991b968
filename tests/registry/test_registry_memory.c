/*
 * test_registry_memory.c - the memory-only store (reg_store_open_memory) and
 * reg_delete_default, both added for the configuration DDIs (docs/config.md).
 */
#include "reg_test.h"

#include <dirent.h>

/* Number of entries in dir other than "." and "..". */
static int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    T_ASSERT(d != NULL);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

TEST(memory_store_has_both_layers_and_writes_nothing)
{
    T_EQ(reg_store_open_memory(NULL), -EINVAL);
    char cwd_before[4096];
    T_ASSERT(getcwd(cwd_before, sizeof(cwd_before)) != NULL);
    const char *dir = t_tmpdir();
    T_ASSERT(chdir(dir) == 0);

    reg_store *st = NULL;
    T_EQ(reg_store_open_memory(&st), 0);
    T_ASSERT(st != NULL);
    reg_key *k = rt_key(st, "Adapters\\a0\\Parameters", REG_CREATE);
    rt_set(k, "*JumboPacket", reg_value_sz("1514"), true);
    rt_set(k, "*JumboPacket", reg_value_dword(9014), false);
    T_EQ(rt_dword(k, "*JumboPacket"), 9014);
    T_EQ(reg_delete_value(k, "*JumboPacket"), 0);
    char buf[32];
    T_STREQ(rt_sz(k, "*JumboPacket", buf, sizeof(buf)), "1514");
    rt_set(k, "Blob", reg_value_binary("\x01\x02", 2), false);

    /* Keys created persisted are there, enumerable and deletable. */
    reg_key *sub = rt_key(st, "Adapters\\a0\\Parameters\\Sub", REG_CREATE);
    reg_key_close(sub);
    T_EQ(reg_enum_subkey(k, 0, buf, sizeof(buf)), 0);
    T_STREQ(buf, "Sub");
    T_EQ(reg_delete_key(k, "Sub"), 0);
    T_EQ(reg_enum_subkey(k, 0, buf, sizeof(buf)), -ENOENT);

    /* No failed write to report, and nothing on disk anywhere near. */
    reg_store_last_error(st, buf, sizeof(buf));
    T_STREQ(buf, "");
    T_EQ(dir_entries(dir), 0);

    /* Two memory stores are independent (no lock to share). */
    reg_store *st2 = NULL;
    T_EQ(reg_store_open_memory(&st2), 0);
    reg_key *k2 = NULL;
    T_EQ(reg_key_open(st2, "Adapters\\a0\\Parameters", REG_OPEN_EXISTING, &k2), -ENOENT);
    reg_store_close(st2);

    /* Handles outlive the store as with a directory store. */
    reg_store_close(st);
    reg_value *v;
    T_EQ(reg_get_value(k, "Blob", &v), -EBADF);
    reg_key_close(k);
    T_ASSERT(chdir(cwd_before) == 0);
}

TEST(delete_default_keeps_persisted_value)
{
    reg_store *st = rt_open(t_tmpdir());
    reg_key *k = rt_key(st, "Services\\drv\\Parameters", REG_CREATE_DEFAULT);
    reg_value *v;

    T_EQ(reg_delete_default(NULL, "x"), -EINVAL);
    T_EQ(reg_delete_default(k, NULL), -EINVAL);
    T_EQ(reg_delete_default(k, "Speed"), -ENOENT);

    /* A default alone: deleting it removes the value. */
    rt_set(k, "Speed", reg_value_sz("100"), true);
    T_EQ(reg_delete_default(k, "speed"), 0);
    T_EQ(reg_get_value(k, "Speed", &v), -ENOENT);
    uint32_t nk, nv;
    T_EQ(reg_key_info(k, &nk, &nv), 0);
    T_EQ(nv, 0);

    /* Default and persisted: the persisted value stays, with no default under it. */
    rt_set(k, "Duplex", reg_value_sz("full"), true);
    rt_set(k, "Duplex", reg_value_sz("half"), false);
    T_EQ(reg_delete_default(k, "Duplex"), 0);
    char buf[16];
    T_STREQ(rt_sz(k, "Duplex", buf, sizeof(buf)), "half");
    T_EQ(reg_get_layer_value(k, "Duplex", REG_LAYER_DEFAULT, &v), -ENOENT);
    T_EQ(reg_delete_default(k, "Duplex"), -ENOENT);
    T_EQ(reg_delete_value(k, "Duplex"), 0);
    T_EQ(reg_get_value(k, "Duplex", &v), -ENOENT);

    /* A persisted value alone has no default to delete. */
    rt_set(k, "Only", reg_value_dword(1), false);
    T_EQ(reg_delete_default(k, "Only"), -ENOENT);
    T_EQ(rt_dword(k, "Only"), 1);

    reg_store_close(st);
    T_EQ(reg_delete_default(k, "Only"), -EBADF);
    reg_key_close(k);
}
