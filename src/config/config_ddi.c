/*
 * config_ddi.c - the configuration DDIs: NdisOpenConfigurationEx,
 * NdisReadConfiguration, NdisWriteConfiguration, NdisCloseConfiguration,
 * NdisOpenConfigurationKeyByName and NdisOpenConfigurationKeyByIndex.
 *
 * A configuration handle (NDISI_OBJ_CONFIG) holds a key of the instance's
 * store, with the lookup chain of config.h for an adapter's key, and the
 * memory NDIS returned through it (parameters, names, addresses), which
 * NdisCloseConfiguration frees. Each open handle counts in its driver's
 * res[NDISI_RES_CONFIG], so a driver that unloads with one open is reported.
 * docs/config.md has the key each NdisHandle opens and the conversions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/cbctx.h"
#include "core/core.h"
#include "core/verifier.h"

#define RULE_IRQL "Irql_Miscellaneous_Function"

int ndisi_cfg_ustr(const NDIS_STRING *s, char **out, const char *ddi, const char *param)
{
    static const uint16_t empty[1];
    *out = NULL;
    if (!s || (s->Length % sizeof(WCHAR)) || (s->Length && !s->Buffer)) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "a counted string: Length in bytes (even), Buffer valid for Length bytes",
                     "%s %s", param,
                     !s                           ? "is NULL"
                     : s->Length % sizeof(WCHAR) ? "has an odd Length"
                                                  : "has a Length but a NULL Buffer");
        return -EINVAL;
    }
    size_t n = s->Length / sizeof(WCHAR);
    const uint16_t *u = n ? s->Buffer : empty;
    for (size_t i = 0; i < n; i++)
        if (!u[i]) {
            n = i; /* a terminator counted in Length ends the name */
            break;
        }
    return reg_utf16_to_utf8(u, n, out);
}

/* ---- NdisOpenConfigurationEx -------------------------------------------------------- */

static bool is_ndis_object(const void *p)
{
    const struct ndisi_obj *o = p;
    return o->magic == NDISI_MAGIC_LIVE || o->magic == NDISI_MAGIC_DEAD;
}

/*
 * The key NdisHandle designates (docs/config.md, "Key layout"). On success
 * *out is a new, unpublished handle with its key and chain; returns an
 * NDIS_STATUS.
 */
static NDIS_STATUS open_for(NDIS_HANDLE nh, ULONG flags, struct ndisi_config **out)
{
    static const char ddi[] = "NdisOpenConfigurationEx";
    char path[NDISI_CFG_PATH_MAX], adapter[NDISI_NAME_MAX];
    struct ndis_registry *reg = NULL;
    struct ndisi_image *img = NULL;
    const struct ndisi_adapter *a = NULL;
    int rc;

    *out = NULL;
    if (nh && !is_ndis_object(nh) &&
        ndisi_cfg_find_bind_params(nh, &reg, &img, adapter, sizeof(adapter))) {
        /* ProtocolBindAdapterEx's BindParameters: the binding's key. */
        if (flags & NDIS_CONFIG_FLAG_FILTER_INSTANCE_CONFIGURATION) {
            ndisi_report(NDISI_V_PARAMETER, ddi,
                         "NDIS_CONFIG_FLAG_FILTER_INSTANCE_CONFIGURATION is for a monitoring "
                         "filter's NdisFilterHandle; modifying filter drivers must not use it",
                         "driver '%s' set the flag with the BindParameters of a binding to '%s'",
                         img->name, adapter);
            return NDIS_STATUS_FAILURE;
        }
        rc = ndisi_cfg_path(path, sizeof(path), NDISI_CFG_SERVICES, img->name,
                            NDISI_CFG_PARAMETERS, NDISI_CFG_ADAPTERS, adapter, NULL);
    } else {
        img = ndisi_image_from_handle(nh, ddi); /* reports NULL, stale and wrong handles */
        if (!img)
            return NDIS_STATUS_FAILURE;
        reg = img->host->registry;
        const struct ndisi_obj *o = nh;
        if ((flags & NDIS_CONFIG_FLAG_FILTER_INSTANCE_CONFIGURATION) &&
            (o->type != NDISI_OBJ_FILTER_MODULE || img->cfg.filter_type != 1)) {
            ndisi_report(NDISI_V_PARAMETER, ddi,
                         "NDIS_CONFIG_FLAG_FILTER_INSTANCE_CONFIGURATION is for a monitoring "
                         "filter's NdisFilterHandle; modifying filter drivers must not use it",
                         "driver '%s' set the flag with %s '%s'", img->name,
                         o->type == NDISI_OBJ_FILTER_MODULE ? "the filter module handle of a "
                                                              "modifying filter"
                                                            : ndisi_objtype_name(o->type),
                         o->label);
            return NDIS_STATUS_FAILURE;
        }
        switch (o->type) {
        case NDISI_OBJ_ADAPTER:
            a = (const struct ndisi_adapter *)o;
            rc = ndisi_cfg_path(path, sizeof(path), NDISI_CFG_ADAPTERS, a->name,
                                NDISI_CFG_PARAMETERS, NULL);
            break;
        case NDISI_OBJ_OPEN: {
            const struct ndisi_open *op = (const struct ndisi_open *)o;
            rc = ndisi_cfg_path(path, sizeof(path), NDISI_CFG_SERVICES, img->name,
                                NDISI_CFG_PARAMETERS, NDISI_CFG_ADAPTERS, op->adapter->name,
                                NULL);
            break;
        }
        case NDISI_OBJ_FILTER_MODULE: {
            const struct ndisi_filter_module *m = (const struct ndisi_filter_module *)o;
            rc = ndisi_cfg_path(path, sizeof(path), NDISI_CFG_SERVICES, img->name,
                                NDISI_CFG_PARAMETERS, NDISI_CFG_ADAPTERS, m->adapter->name,
                                (flags & NDIS_CONFIG_FLAG_FILTER_INSTANCE_CONFIGURATION)
                                    ? NDISI_CFG_INSTANCE
                                    : NULL,
                                NULL);
            break;
        }
        default: /* miniport, protocol or filter driver handle */
            rc = ndisi_cfg_path(path, sizeof(path), NDISI_CFG_SERVICES, img->name,
                                NDISI_CFG_PARAMETERS, NULL);
            break;
        }
    }
    if (rc) {
        ndisi_diag("%s: key path for driver '%s' too long", ddi, img->name);
        return NDIS_STATUS_FAILURE;
    }

    struct ndisi_config *c = ndisi_cfg_handle_new(reg, img, path);
    if (!c)
        return NDIS_STATUS_RESOURCES;
    c->scope = a; /* an adapter's handle ends with MiniportHaltEx */
    if (a) {
        rc = ndisi_cfg_chain_adapter(reg, a->name, img->name, a->ifname,
                                     a->have_cfg_mac ? a->cfg_mac : NULL, REG_CREATE_DEFAULT,
                                     &c->chain);
    } else {
        /* A key that does not exist yet is made in memory: it reads as empty
           and becomes persisted with the first NdisWriteConfiguration. */
        rc = reg_key_open(reg->store, path, REG_CREATE_DEFAULT, &c->chain.key);
    }
    if (rc) {
        ndisi_cfg_handle_free(c);
        if (rc == -ENOMEM)
            return NDIS_STATUS_RESOURCES;
        ndisi_diag("%s: cannot open %s for driver '%s': %s", ddi, path, img->name,
                   strerror(-rc));
        return NDIS_STATUS_FAILURE;
    }
    *out = c;
    return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS NdisOpenConfigurationEx(PNDIS_CONFIGURATION_OBJECT ConfigObject,
                                    PNDIS_HANDLE ConfigurationHandle)
{
    static const char ddi[] = "NdisOpenConfigurationEx";
    if (ConfigurationHandle)
        *ConfigurationHandle = NULL;
    if (!ndisi_irql_eq(PASSIVE_LEVEL, ddi, RULE_IRQL))
        return NDIS_STATUS_FAILURE;
    if (!ConfigObject || !ConfigurationHandle) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "ConfigObject and ConfigurationHandle are required",
                     "%s is NULL", ConfigObject ? "ConfigurationHandle" : "ConfigObject");
        return NDIS_STATUS_FAILURE;
    }
    const NDIS_OBJECT_HEADER *hd = &ConfigObject->Header;
    if (hd->Type != NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT ||
        hd->Revision < NDIS_CONFIGURATION_OBJECT_REVISION_1 ||
        hd->Size < NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "ns-ndis-_ndis_configuration_object.md: Header Type "
                     "NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT, Revision "
                     "NDIS_CONFIGURATION_OBJECT_REVISION_1, Size "
                     "NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1",
                     "ConfigObject header is Type 0x%02x Revision %u Size %u", hd->Type,
                     hd->Revision, hd->Size);
        return NDIS_STATUS_FAILURE;
    }
    if (ConfigObject->Flags & ~(ULONG)NDIS_CONFIG_FLAG_FILTER_INSTANCE_CONFIGURATION) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "Flags is 0 or NDIS_CONFIG_FLAG_FILTER_INSTANCE_CONFIGURATION",
                     "ConfigObject->Flags 0x%08lx has unknown bits",
                     (unsigned long)ConfigObject->Flags);
        return NDIS_STATUS_FAILURE;
    }
    struct ndisi_config *c;
    NDIS_STATUS st = open_for(ConfigObject->NdisHandle, ConfigObject->Flags, &c);
    if (st != NDIS_STATUS_SUCCESS)
        return st;
    ndisi_cfg_handle_publish(c);
    *ConfigurationHandle = (NDIS_HANDLE)c;
    return NDIS_STATUS_SUCCESS;
}

/* ---- NdisReadConfiguration ------------------------------------------------------------- */

/*
 * Keywords NDIS answers itself, before the registry: NdisVersion and
 * ProcessorType (nf-ndis-ndisreadconfiguration.md), and Environment, the NDIS 5
 * keyword drivers ported from it still read. 1 with *out set, 0 if kw is not
 * one of them, -ENOMEM.
 */
static int predefined(const char *kw, reg_value **out)
{
    uint32_t x;
    if (reg_name_cmp(kw, "NdisVersion") == 0) {
        x = NDIS_RUNTIME_VERSION_682; /* 0xMMMMmmmm: the highest version supported */
    } else if (reg_name_cmp(kw, "Environment") == 0) {
        x = NdisEnvironmentWindowsNt;
    } else if (reg_name_cmp(kw, "ProcessorType") == 0) {
#if defined(__x86_64__)
        x = NdisProcessorAmd64;
#elif defined(__i386__)
        x = NdisProcessorX86;
#elif defined(__aarch64__)
        x = NdisProcessorArm64;
#elif defined(__arm__)
        x = NdisProcessorArm;
#else
        return 0; /* no NDIS_PROCESSOR_TYPE: read from the registry like any keyword */
#endif
    } else {
        return 0;
    }
    *out = reg_value_dword(x);
    return *out ? 1 : -ENOMEM;
}

/* UTF-16 of v as a string (String) or a list (MultiString): 0, -EINVAL if v
 * has no such form, -EILSEQ, -ENOMEM. */
static int text_units(const reg_value *v, NDIS_PARAMETER_TYPE t, uint16_t **u, size_t *n)
{
    char num[24];
    reg_value *tmp = NULL;
    const reg_value *src = v;
    if (t == NdisParameterString) {
        if (v->type == REG_T_DWORD || v->type == REG_T_QWORD) {
            snprintf(num, sizeof(num), "%llu",
                     v->type == REG_T_DWORD ? (unsigned long long)v->u.dword
                                            : (unsigned long long)v->u.qword);
            src = tmp = reg_value_sz(num);
        } else if (v->type != REG_T_SZ && v->type != REG_T_EXPAND_SZ) {
            return -EINVAL;
        }
    } else if (v->type == REG_T_SZ || v->type == REG_T_EXPAND_SZ) {
        /* A string read as a list is a list of that one string. */
        const char *one = v->u.sz;
        src = tmp = reg_value_multi_sz(&one, *one ? 1 : 0);
    } else if (v->type != REG_T_MULTI_SZ) {
        return -EINVAL;
    }
    if (!src)
        return -ENOMEM;
    int rc = reg_value_to_utf16(src, u, n);
    reg_value_free(tmp);
    return rc;
}

/* Builds the NDIS_CONFIGURATION_PARAMETER of v as type t, owned by c. */
static NDIS_STATUS make_param(struct ndisi_config *c, const reg_value *v, NDIS_PARAMETER_TYPE t,
                              PNDIS_CONFIGURATION_PARAMETER *out)
{
    PNDIS_CONFIGURATION_PARAMETER p;
    switch (t) {
    case NdisParameterInteger:
    case NdisParameterHexInteger: {
        uint32_t x;
        if (reg_value_to_u32(v, t == NdisParameterInteger ? 10 : 16, &x))
            return NDIS_STATUS_FAILURE; /* not a number in that base, or too large */
        if (!(p = ndisi_cfg_alloc(c, sizeof(*p))))
            return NDIS_STATUS_RESOURCES;
        memset(p, 0, sizeof(*p));
        p->ParameterType = NdisParameterInteger; /* also for HexInteger, per the page */
        p->ParameterData.IntegerData = x;
        break;
    }
    case NdisParameterString:
    case NdisParameterMultiString: {
        uint16_t *u;
        size_t n;
        int rc = text_units(v, t, &u, &n);
        if (rc)
            return rc == -ENOMEM ? NDIS_STATUS_RESOURCES : NDIS_STATUS_FAILURE;
        /* String: Length without the terminator, which follows. MultiString:
           Length covers every string's terminator and the list's final one. */
        size_t len = n * sizeof(WCHAR), max = t == NdisParameterString ? len + sizeof(WCHAR) : len;
        if (max > 0xFFFF) {
            free(u);
            return NDIS_STATUS_FAILURE; /* does not fit a UNICODE_STRING */
        }
        if (!(p = ndisi_cfg_alloc(c, sizeof(*p) + (n + 1) * sizeof(WCHAR)))) {
            free(u);
            return NDIS_STATUS_RESOURCES;
        }
        memset(p, 0, sizeof(*p));
        WCHAR *text = (WCHAR *)(p + 1);
        memcpy(text, u, (n + 1) * sizeof(WCHAR)); /* reg_value_to_utf16 NUL-terminates */
        free(u);
        p->ParameterType = t;
        p->ParameterData.StringData.Buffer = text;
        p->ParameterData.StringData.Length = (USHORT)len;
        p->ParameterData.StringData.MaximumLength = (USHORT)max;
        break;
    }
    case NdisParameterBinary:
        if (v->type != REG_T_BINARY || v->u.bin.len > 0xFFFF)
            return NDIS_STATUS_FAILURE;
        if (!(p = ndisi_cfg_alloc(c, sizeof(*p) + v->u.bin.len)))
            return NDIS_STATUS_RESOURCES;
        memset(p, 0, sizeof(*p));
        p->ParameterType = NdisParameterBinary;
        p->ParameterData.BinaryData.Length = (USHORT)v->u.bin.len;
        p->ParameterData.BinaryData.Buffer = p + 1;
        if (v->u.bin.len)
            memcpy(p + 1, v->u.bin.data, v->u.bin.len);
        break;
    default:
        return NDIS_STATUS_FAILURE;
    }
    *out = p;
    return NDIS_STATUS_SUCCESS;
}

bool ndisi_cfg_status_init(PNDIS_STATUS Status, const char *ddi)
{
    if (!Status) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "Status is a caller-supplied variable",
                     "Status is NULL");
        return false;
    }
    *Status = NDIS_STATUS_FAILURE;
    return true;
}

struct ndisi_config *ndisi_cfg_handle(NDIS_HANDLE handle, const char *ddi, KIRQL max,
                                      const char *rule)
{
    if (!(max == PASSIVE_LEVEL ? ndisi_irql_eq(PASSIVE_LEVEL, ddi, rule)
                               : ndisi_irql_le(max, ddi, rule)))
        return NULL;
    return ndisi_obj_check(handle, NDISI_OBJ_CONFIG, ddi, "ConfigurationHandle");
}

VOID NdisReadConfiguration(PNDIS_STATUS Status, PNDIS_CONFIGURATION_PARAMETER *ParameterValue,
                           NDIS_HANDLE ConfigurationHandle, PNDIS_STRING Keyword,
                           NDIS_PARAMETER_TYPE ParameterType)
{
    static const char ddi[] = "NdisReadConfiguration";
    if (!ndisi_cfg_status_init(Status, ddi))
        return;
    if (ParameterValue)
        *ParameterValue = NULL;
    struct ndisi_config *c = ndisi_cfg_handle(ConfigurationHandle, ddi, PASSIVE_LEVEL, RULE_IRQL);
    if (!c)
        return;
    if (!ParameterValue) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "ParameterValue receives a pointer",
                     "ParameterValue is NULL (reading from %s)", c->label);
        return;
    }
    if ((unsigned)ParameterType > (unsigned)NdisParameterBinary) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "ne-ndis-_ndis_parameter_type.md",
                     "ParameterType %d is not an NDIS_PARAMETER_TYPE", (int)ParameterType);
        return;
    }
    char *kw;
    int rc = ndisi_cfg_ustr(Keyword, &kw, ddi, "Keyword");
    if (rc) {
        if (rc == -ENOMEM)
            *Status = NDIS_STATUS_RESOURCES;
        return; /* -EILSEQ: no value can have that name */
    }
    reg_value *v = NULL;
    rc = predefined(kw, &v);
    if (rc == 0)
        rc = ndisi_cfg_chain_get(&c->chain, kw, &v);
    else if (rc == 1)
        rc = 0;
    free(kw);
    if (rc) {
        *Status = rc == -ENOMEM ? NDIS_STATUS_RESOURCES : NDIS_STATUS_FAILURE;
        return;
    }
    *Status = make_param(c, v, ParameterType, ParameterValue);
    reg_value_free(v);
}

/* ---- NdisWriteConfiguration ------------------------------------------------------------- */

static bool ustr_data_ok(const NDIS_STRING *s)
{
    return !(s->Length % sizeof(WCHAR)) && (!s->Length || s->Buffer);
}

VOID NdisWriteConfiguration(PNDIS_STATUS Status, NDIS_HANDLE ConfigurationHandle,
                            PNDIS_STRING Keyword, PNDIS_CONFIGURATION_PARAMETER ParameterValue)
{
    static const char ddi[] = "NdisWriteConfiguration";
    if (!ndisi_cfg_status_init(Status, ddi))
        return;
    struct ndisi_config *c = ndisi_cfg_handle(ConfigurationHandle, ddi, PASSIVE_LEVEL, RULE_IRQL);
    if (!c)
        return;
    if (!ParameterValue) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "ParameterValue is a caller-supplied structure",
                     "ParameterValue is NULL (writing to %s)", c->label);
        return;
    }
    const NDIS_STRING *sd = &ParameterValue->ParameterData.StringData;
    const BINARY_DATA *bd = &ParameterValue->ParameterData.BinaryData;
    char num[16];
    reg_value *v = NULL;
    switch (ParameterValue->ParameterType) {
    case NdisParameterInteger:
    case NdisParameterHexInteger:
        /* Stored as the registry holds INF keywords: text, in the base given. */
        snprintf(num, sizeof(num),
                 ParameterValue->ParameterType == NdisParameterInteger ? "%lu" : "%lX",
                 (unsigned long)ParameterValue->ParameterData.IntegerData);
        v = reg_value_sz(num);
        break;
    case NdisParameterString:
    case NdisParameterMultiString:
        if (!ustr_data_ok(sd)) {
            ndisi_report(NDISI_V_PARAMETER, ddi,
                         "StringData is a counted string: Length in bytes (even), Buffer "
                         "valid for Length bytes",
                         "StringData has %s (writing to %s)",
                         sd->Length % sizeof(WCHAR) ? "an odd Length"
                                                    : "a Length but a NULL Buffer",
                         c->label);
            return;
        }
        v = reg_value_from_utf16(ParameterValue->ParameterType == NdisParameterString
                                     ? REG_T_SZ
                                     : REG_T_MULTI_SZ,
                                 sd->Buffer, sd->Length / sizeof(WCHAR));
        break;
    case NdisParameterBinary:
        if (bd->Length && !bd->Buffer) {
            ndisi_report(NDISI_V_PARAMETER, ddi, "ns-ndis-binary_data.md: Buffer holds Length bytes",
                         "BinaryData has Length %u and a NULL Buffer (writing to %s)",
                         bd->Length, c->label);
            return;
        }
        v = reg_value_binary(bd->Buffer, bd->Length);
        break;
    default:
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "NDIS_STATUS_NOT_SUPPORTED: the supplied ParameterType is invalid",
                     "ParameterType %d is not an NDIS_PARAMETER_TYPE (writing to %s)",
                     (int)ParameterValue->ParameterType, c->label);
        *Status = NDIS_STATUS_NOT_SUPPORTED;
        return;
    }
    if (!v) {
        if (errno == ENOMEM)
            *Status = NDIS_STATUS_RESOURCES;
        else
            ndisi_diag("%s: %s: the string is not valid UTF-16 (unpaired surrogate): not written",
                       ddi, c->label);
        return;
    }
    char *kw;
    int rc = ndisi_cfg_ustr(Keyword, &kw, ddi, "Keyword");
    if (rc) {
        reg_value_free(v);
        if (rc == -ENOMEM)
            *Status = NDIS_STATUS_RESOURCES;
        return;
    }
    rc = reg_set_value(c->chain.key, kw, v);
    reg_value_free(v);
    if (rc == 0) {
        *Status = NDIS_STATUS_SUCCESS;
    } else if (rc == -ENOMEM) {
        *Status = NDIS_STATUS_RESOURCES;
    } else {
        char err[512] = "";
        if (rc != -EINVAL)
            reg_store_last_error(c->reg->store, err, sizeof(err));
        ndisi_diag("%s: %s\\%s not written: %s", ddi, c->label, kw,
                   err[0] ? err : rc == -EINVAL ? "invalid keyword" : strerror(-rc));
    }
    free(kw);
}

/* ---- NdisCloseConfiguration -------------------------------------------------------------- */

VOID NdisCloseConfiguration(NDIS_HANDLE ConfigurationHandle)
{
    static const char ddi[] = "NdisCloseConfiguration";
    struct ndisi_config *c = ndisi_cfg_handle(ConfigurationHandle, ddi, PASSIVE_LEVEL, RULE_IRQL);
    if (!c)
        return;
    ndisi_cfg_handle_close(c);
}

/* ---- subkeys --------------------------------------------------------------------------------- */

/* Opens the existing subkey `name` of parent as a new, unpublished handle. */
static NDIS_STATUS open_sub(struct ndisi_config *parent, const char *name, struct ndisi_config **out)
{
    char label[NDISI_CFG_PATH_MAX];
    int len = snprintf(label, sizeof(label), "%s\\%s", parent->label, name);
    if (len < 0 || (size_t)len >= sizeof(label))
        label[sizeof(label) - 1] = 0; /* a long path: the label is for diagnostics only */
    struct ndisi_config *s = ndisi_cfg_handle_new(parent->reg, parent->image, label);
    *out = NULL;
    if (!s)
        return NDIS_STATUS_RESOURCES;
    s->scope = parent->scope; /* below an adapter's key: ends with the adapter */
    int rc = reg_key_open_sub(parent->chain.key, name, REG_OPEN_EXISTING, &s->chain.key);
    if (rc) {
        ndisi_cfg_handle_free(s);
        return rc == -ENOMEM ? NDIS_STATUS_RESOURCES : NDIS_STATUS_FAILURE;
    }
    *out = s;
    return NDIS_STATUS_SUCCESS;
}

VOID NdisOpenConfigurationKeyByName(PNDIS_STATUS Status, NDIS_HANDLE ConfigurationHandle,
                                    PNDIS_STRING SubKeyName, PNDIS_HANDLE SubKeyHandle)
{
    static const char ddi[] = "NdisOpenConfigurationKeyByName";
    if (!ndisi_cfg_status_init(Status, ddi))
        return;
    if (SubKeyHandle)
        *SubKeyHandle = NULL;
    struct ndisi_config *c = ndisi_cfg_handle(ConfigurationHandle, ddi, APC_LEVEL, RULE_IRQL);
    if (!c)
        return;
    if (!SubKeyHandle) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "SubKeyHandle receives the subkey's handle",
                     "SubKeyHandle is NULL (below %s)", c->label);
        return;
    }
    char *name;
    int rc = ndisi_cfg_ustr(SubKeyName, &name, ddi, "SubKeyName");
    if (rc) {
        if (rc == -ENOMEM)
            *Status = NDIS_STATUS_RESOURCES;
        return;
    }
    struct ndisi_config *s;
    *Status = open_sub(c, name, &s);
    free(name);
    if (*Status == NDIS_STATUS_SUCCESS) {
        ndisi_cfg_handle_publish(s);
        *SubKeyHandle = (NDIS_HANDLE)s;
    }
}

VOID NdisOpenConfigurationKeyByIndex(PNDIS_STATUS Status, NDIS_HANDLE ConfigurationHandle,
                                     ULONG Index, PNDIS_STRING KeyName, PNDIS_HANDLE KeyHandle)
{
    static const char ddi[] = "NdisOpenConfigurationKeyByIndex";
    if (!ndisi_cfg_status_init(Status, ddi))
        return;
    if (KeyHandle)
        *KeyHandle = NULL;
    struct ndisi_config *c = ndisi_cfg_handle(ConfigurationHandle, ddi, APC_LEVEL, RULE_IRQL);
    if (!c)
        return;
    if (!KeyName || !KeyHandle) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "KeyName and KeyHandle receive the subkey",
                     "%s is NULL (below %s)", KeyName ? "KeyHandle" : "KeyName", c->label);
        return;
    }
    char name[REG_MAX_KEY_NAME * 3 + 1];
    if (reg_enum_subkey(c->chain.key, Index, name, sizeof(name)))
        return; /* past the last subkey: the end of an enumeration */
    uint16_t *u;
    size_t n;
    int rc = reg_utf8_to_utf16(name, strlen(name), &u, &n);
    if (rc) {
        *Status = rc == -ENOMEM ? NDIS_STATUS_RESOURCES : NDIS_STATUS_FAILURE;
        return;
    }
    size_t bytes = n * sizeof(WCHAR);
    if (KeyName->Buffer && KeyName->MaximumLength < bytes) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "KeyName holds a caller-supplied buffer for the subkey name",
                     "KeyName->MaximumLength is %u bytes; subkey %u of %s, '%s', needs %zu",
                     KeyName->MaximumLength, (unsigned)Index, c->label, name, bytes);
        free(u);
        return;
    }
    struct ndisi_config *s;
    *Status = open_sub(c, name, &s);
    if (*Status != NDIS_STATUS_SUCCESS) {
        free(u);
        return;
    }
    if (KeyName->Buffer) {
        memcpy(KeyName->Buffer, u, bytes);
        if (KeyName->MaximumLength >= bytes + sizeof(WCHAR))
            KeyName->Buffer[n] = 0;
    } else {
        /* No buffer given: NDIS supplies one, freed with ConfigurationHandle. */
        WCHAR *b = ndisi_cfg_alloc(c, bytes + sizeof(WCHAR));
        if (!b) {
            free(u);
            ndisi_cfg_handle_free(s);
            *Status = NDIS_STATUS_RESOURCES;
            return;
        }
        memcpy(b, u, bytes + sizeof(WCHAR));
        KeyName->Buffer = b;
        KeyName->MaximumLength = (USHORT)(bytes + sizeof(WCHAR));
    }
    KeyName->Length = (USHORT)bytes;
    free(u);
    ndisi_cfg_handle_publish(s);
    *KeyHandle = (NDIS_HANDLE)s;
}
