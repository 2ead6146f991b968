/*
 * inf.h - Windows INF parser and NDIS network-component extraction.
 *
 * Two layers (docs/inf.md has the full rules):
 *
 *  1. inf_parse_file() / inf_parse_buffer(): the generic INF syntax. The file
 *     becomes a list of sections (case-insensitive names, duplicates merged
 *     in file order), each a list of lines with the source line number, an
 *     optional key and a list of values. Quotes, "" escapes, ';' comments,
 *     trailing-backslash continuation and %strkey% substitution from
 *     [Strings.0409] / [Strings] are applied. UTF-8 (with or without BOM)
 *     and UTF-16LE with BOM are accepted. Malformed input is refused with
 *     the file, line and reason in struct inf_error.
 *
 *  2. inf_netcomp_load(): the NDIS view of a parsed file. [Version],
 *     [Manufacturer], the Models sections, the (decorated) DDInstall
 *     sections, their AddReg sections (HKR Ndi, Ndi\Interfaces, Ndi\params)
 *     and the .Services sections become one struct inf_netcomp per model:
 *     a miniport (Class=Net), a protocol (NetTrans) or a lightweight filter
 *     (NetService with NCF_LW_FILTER).
 *
 * Every function returns 0 on success or a negative errno value: -EINVAL for
 * malformed or refused input, -EFBIG for input over the size limits, -ENOMEM,
 * or the errno of a failed open/read. On failure *err (when not NULL) tells
 * where and why; line 0 means the whole file.
 *
 * Nothing here is thread-unsafe beyond the usual: a parsed struct inf_file
 * and a component list are immutable and may be read from any thread.
 */
#ifndef NDIS_INF_H
#define NDIS_INF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- limits (the parser refuses input beyond them) ---------------------- */

#define INF_MAX_FILE_SIZE (1u << 20)   /* bytes of raw input */
#define INF_MAX_LINE 4096u             /* logical line: joined, comments removed */
#define INF_MAX_VALUE 16384u           /* one key or value after %strkey% substitution */
#define INF_MAX_EXPANDED (8u << 20)    /* all text produced by %strkey% substitution */

/* The [Strings.<langid>] section preferred over [Strings] (US English). */
#define INF_STRINGS_LOCALE "0409"

/* ---- errors -------------------------------------------------------------- */

struct inf_error {
    char file[256];   /* the name given to the parser (path or buffer name) */
    unsigned line;    /* 1-based physical line, 0 when the error is about the whole file */
    char reason[256];
};

/* ---- generic INF model ---------------------------------------------------- */

struct inf_line {
    unsigned lineno;       /* physical line where the logical line starts */
    const char *key;       /* text before the first unquoted '=', or NULL */
    size_t nvalues;        /* comma-separated values after '=' (or the whole line) */
    const char **values;   /* quotes removed, %strkey% substituted, blanks trimmed */
    const char *raw;       /* the logical line as written: continuation joined,
                              comment removed, blanks trimmed, nothing substituted */
};

struct inf_section {
    const char *name;             /* spelling of the first header */
    unsigned lineno;              /* line of the first header */
    size_t index;                 /* position in inf_section_at() order */
    size_t nlines;
    const struct inf_line *lines; /* in file order, duplicates merged */
};

struct inf_file;

int inf_parse_file(const char *path, struct inf_file **out, struct inf_error *err);
int inf_parse_buffer(const char *name, const void *data, size_t len, struct inf_file **out,
                     struct inf_error *err);
void inf_free(struct inf_file *inf);

const char *inf_name(const struct inf_file *inf);
size_t inf_section_count(const struct inf_file *inf);
const struct inf_section *inf_section_at(const struct inf_file *inf, size_t i);
/* Case-insensitive (ASCII) section lookup; NULL when absent. */
const struct inf_section *inf_find_section(const struct inf_file *inf, const char *name);
/* First line of the section whose key equals key (case-insensitive); NULL if none. */
const struct inf_line *inf_find_line(const struct inf_section *sec, const char *key);
/* Value i of the first line `key` of section `section`; NULL if absent. */
const char *inf_get_value(const struct inf_file *inf, const char *section, const char *key,
                          size_t i);

/* ---- helpers shared with the consumers ------------------------------------ */

/* ASCII case-insensitive equality; both strings must be non-NULL. */
bool inf_streq(const char *a, const char *b);
/* "0x1F" (hex) or "31" (decimal) as a whole string, fitting 32 bits. */
int inf_parse_u32(const char *s, uint32_t *out);
/* Optional '-' or '+', then "0x" hex or decimal; base 16 also takes bare hex digits. */
int inf_parse_i64(const char *s, unsigned base, int64_t *out);

/* ---- AddReg lines ---------------------------------------------------------- */

/* AddReg flags (the fourth field of an add-registry line). */
#define FLG_ADDREG_BINVALUETYPE 0x00000001u
#define FLG_ADDREG_NOCLOBBER 0x00000002u
#define FLG_ADDREG_DELVAL 0x00000004u
#define FLG_ADDREG_APPEND 0x00000008u
#define FLG_ADDREG_KEYONLY 0x00000010u
#define FLG_ADDREG_OVERWRITEONLY 0x00000020u
#define FLG_ADDREG_64BITKEY 0x00001000u
#define FLG_ADDREG_KEYONLY_COMMON 0x00002000u
#define FLG_ADDREG_32BITKEY 0x00004000u
#define FLG_ADDREG_DELREG_BIT 0x00008000u
#define FLG_ADDREG_TYPE_MASK 0xFFFF0001u
#define FLG_ADDREG_TYPE_SZ 0x00000000u
#define FLG_ADDREG_TYPE_MULTI_SZ 0x00010000u
#define FLG_ADDREG_TYPE_EXPAND_SZ 0x00020000u
#define FLG_ADDREG_TYPE_BINARY 0x00000001u
#define FLG_ADDREG_TYPE_DWORD 0x00010001u
#define FLG_ADDREG_TYPE_NONE 0x00020001u

/* Registry value types (the Windows REG_* numbers). */
#define INF_REG_NONE 0u
#define INF_REG_SZ 1u
#define INF_REG_EXPAND_SZ 2u
#define INF_REG_BINARY 3u
#define INF_REG_DWORD 4u
#define INF_REG_MULTI_SZ 7u

/* One line of an add-registry section:
 *   reg-root, [subkey], [value-entry-name], [flags], [value[, value...]] */
struct inf_addreg {
    unsigned lineno;
    const char *root;       /* "HKR", "HKLM", "HKCU", "HKCR" or "HKU" as written */
    const char *subkey;     /* "" for the root key itself */
    const char *value_name; /* "" for the key's default value */
    uint32_t flags;         /* FLG_ADDREG_* */
    uint32_t reg_type;      /* INF_REG_*, or the REG_ number of a binary-typed value */
    bool key_only;          /* FLG_ADDREG_KEYONLY, or a line with only root and subkey */
    size_t ndata;           /* SZ/EXPAND_SZ: 0 or 1; MULTI_SZ: n strings; DWORD: 1;
                               binary types: n bytes written as hex ("0a", "ff") */
    const char *const *data;
    uint32_t dword;         /* the number, for INF_REG_DWORD */
};

/* Decodes and validates one line of an add-registry section. Strings stay
 * owned by the struct inf_file the line belongs to. */
int inf_addreg_decode(const struct inf_file *inf, const struct inf_line *line,
                      struct inf_addreg *out, struct inf_error *err);

/* ---- network components ----------------------------------------------------- */

/* DDInstall Characteristics (Netcfgx.h values listed in the network INF docs). */
#define NCF_VIRTUAL 0x00001u
#define NCF_SOFTWARE_ENUMERATED 0x00002u
#define NCF_PHYSICAL 0x00004u
#define NCF_HIDDEN 0x00008u
#define NCF_NO_SERVICE 0x00010u
#define NCF_NOT_USER_REMOVABLE 0x00020u
#define NCF_HAS_UI 0x00080u
#define NCF_MULTIPORT_INSTANCED_ADAPTER 0x00200u
#define NCF_FILTER 0x00400u
#define NCF_NDIS_PROTOCOL 0x04000u
#define NCF_LW_FILTER 0x40000u

/* AddService flag marking the function driver's (primary) service. */
#define SPSVCINST_ASSOCSERVICE 0x00000002u

enum inf_net_class {
    INF_CLASS_NET = 1,     /* adapters: {4D36E972-E325-11CE-BFC1-08002BE10318} */
    INF_CLASS_NETTRANS,    /* protocols: {4D36E975-...} */
    INF_CLASS_NETCLIENT,   /* refused (deprecated): {4D36E973-...} */
    INF_CLASS_NETSERVICE,  /* services and filters: {4D36E974-...} */
};

enum inf_netcomp_kind {
    INF_NETCOMP_MINIPORT = 1,
    INF_NETCOMP_PROTOCOL,
    INF_NETCOMP_FILTER,
};

#define INF_FILTER_MONITORING 1u /* FilterType */
#define INF_FILTER_MODIFYING 2u
#define INF_FILTER_MANDATORY 1u  /* FilterRunType */
#define INF_FILTER_OPTIONAL 2u

enum inf_param_type {
    INF_PARAM_INT = 1, /* signed 32-bit */
    INF_PARAM_LONG,    /* signed 32-bit */
    INF_PARAM_WORD,    /* unsigned 16-bit */
    INF_PARAM_DWORD,   /* unsigned 32-bit */
    INF_PARAM_ENUM,    /* one of the Ndi\params\<kw>\enum value names */
    INF_PARAM_EDIT,    /* free text */
};

struct inf_strlist {
    size_t n;
    const char *const *v;
};

struct inf_param_choice {
    const char *value; /* the registry value written when chosen, e.g. "0" */
    const char *desc;  /* its description */
};

/* One Ndi\params\<keyword> entry (an Advanced-page parameter). */
struct inf_param {
    const char *name;          /* the keyword, e.g. "*JumboPacket" */
    const char *desc;          /* ParamDesc */
    enum inf_param_type type;
    const char *default_value; /* Default as written (REG_SZ text), NULL if none */
    int64_t default_num;       /* Default for numeric types */
    bool has_min, has_max, has_step;
    int64_t min, max, step;    /* numeric types only */
    unsigned base;             /* 10 or 16 (numeric types) */
    bool optional;             /* Optional = 1 */
    unsigned lineno;           /* first line that mentioned the keyword */
    size_t nchoices;           /* enum type only */
    const struct inf_param_choice *choices;
};

/* A value written to the component's instance key (HKR with no subkey). */
struct inf_regval {
    const char *name;
    uint32_t reg_type;         /* INF_REG_* */
    struct inf_strlist data;   /* as in struct inf_addreg */
    uint32_t dword;
    unsigned lineno;
};

struct inf_netcomp {
    enum inf_netcomp_kind kind;
    enum inf_net_class net_class;
    const char *class_guid;           /* as written in [Version] */
    const char *provider;             /* [Version] Provider, NULL if absent */
    const char *manufacturer;         /* [Manufacturer] line key (substituted) */
    const char *description;          /* Models line key (device description) */
    const char *component_id;         /* Models hw-id, e.g. "MS_NdisLwf" or "PCI\VEN_..." */
    const char *models_section;       /* the chosen (decorated) Models section */
    const char *install_section;      /* the chosen (decorated) DDInstall section */
    unsigned install_line;            /* its header line */
    uint32_t characteristics;         /* NCF_* */
    bool has_bus_type;
    uint32_t bus_type;
    bool has_if_type, has_media_type, has_physical_media_type;
    uint32_t if_type, media_type, physical_media_type;
    const char *net_cfg_instance_id;  /* NetCfgInstanceId directive, NULL if absent */
    const char *service;              /* primary service (Ndi\Service or AddService) */
    const char *service_binary;       /* ServiceBinary of its service-install section */
    struct inf_strlist services;      /* every AddService name, in order */
    struct inf_strlist coservices;    /* Ndi\CoServices */
    const char *help_text;            /* Ndi\HelpText */
    const char *ndi_component_id;     /* Ndi\ComponentId, NULL if absent */
    /* Binding interfaces, lowercased, commas split, blanks trimmed. */
    struct inf_strlist upper_range, lower_range, filter_media_types;
    /* Filters only (0 / NULL otherwise). */
    const char *filter_class;         /* lowercased Ndi\FilterClass */
    unsigned filter_type;             /* INF_FILTER_MONITORING / _MODIFYING */
    unsigned filter_run_type;         /* INF_FILTER_MANDATORY / _OPTIONAL */
    size_t nparams;
    const struct inf_param *params;   /* in order of first appearance */
    size_t nvalues;
    const struct inf_regval *values;  /* static HKR,,name values, in order */
};

struct inf_netcomp_list {
    size_t n;
    const struct inf_netcomp *v;      /* one per applicable Models line */
    struct inf_netcomp_priv *priv;
};

/* The platform the Models / DDInstall decorations are matched against. */
struct inf_target {
    const char *arch;       /* "amd64", "arm64", "x86", "arm"; "" or NULL: no arch decoration */
    unsigned os_major, os_minor;
    unsigned product_type;  /* 1 workstation, 2 domain controller, 3 server */
    uint32_t suite_mask;
    unsigned build;
};

#define INF_TARGET_OS_MAJOR 10u
#define INF_TARGET_OS_MINOR 0u
#define INF_TARGET_BUILD 26100u

/* The host architecture, Windows 10.0 build INF_TARGET_BUILD, workstation. */
void inf_target_host(struct inf_target *t);

/* Extracts the components for the host target. The list owns copies of every
 * string: it stays valid after inf_free(inf). */
int inf_netcomp_load(const struct inf_file *inf, struct inf_netcomp_list **out,
                     struct inf_error *err);
int inf_netcomp_load_target(const struct inf_file *inf, const struct inf_target *target,
                            struct inf_netcomp_list **out, struct inf_error *err);
void inf_netcomp_free(struct inf_netcomp_list *list);

const struct inf_param *inf_netcomp_param(const struct inf_netcomp *c, const char *name);
const struct inf_regval *inf_netcomp_value(const struct inf_netcomp *c, const char *name);
bool inf_strlist_contains(const struct inf_strlist *l, const char *s); /* case-insensitive */
const char *inf_netcomp_kind_name(enum inf_netcomp_kind kind);
/* Stacking position of a modifying filter class: 0 for "scheduler" (highest,
 * nearest the protocols) growing downwards to the miniport; -1 if unknown. */
int inf_filter_class_rank(const char *filter_class);

#endif /* NDIS_INF_H */
