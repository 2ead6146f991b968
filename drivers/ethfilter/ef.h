/*
 * ef.h - ethfilter, a lightweight filter (NDIS 6.30) that drops Ethernet
 * frames by EtherType, in both directions: the driver's private declarations.
 *
 *   ef_main.c    DriverEntry and unload, FilterAttach / FilterDetach,
 *                FilterPause / FilterRestart
 *   ef_config.c  the DropEtherTypes keyword: reading and parsing it
 *   ef_data.c    send and receive: classify, pass or drop
 *   ef_api.c     the program interface of ethfilter.h
 *
 * The filter supplies only the handlers it needs: no OID, status or PnP
 * handlers, so NDIS passes those around its modules (filter-driver-
 * characteristics.md: they are optional).
 *
 * Rules. Each module reads DropEtherTypes (e.g. "0x86DD,0x88CC") when it
 * attaches and again at every restart, so a changed value applies after the
 * adapter's stack is paused and restarted. The rules change only while the
 * module is Paused, when no send or receive runs through it.
 *
 * Locking. EfDriver.Lock protects the list of modules; each module's Lock its
 * State. Counters are interlocked.
 */
#ifndef _EF_H_
#define _EF_H_

#define NDIS630 1
#include <ndis.h>

#include "ethfilter.h"

#define EF_POOL_TAG 'tlfE' /* "Eflt" in a pool dump */
#define EF_MAJOR_DRIVER_VERSION 1
#define EF_MINOR_DRIVER_VERSION 0

#define EF_ETH_HEADER_SIZE 14
#define EF_VLAN_TAG_SIZE 4
#define EF_MIN_ETHERTYPE 0x0600 /* smaller values are 802.3 lengths */

typedef enum _EF_MODULE_STATE {
    EfModulePaused,  /* after FilterAttach and FilterPause: sends and receives refused */
    EfModuleRunning
} EF_MODULE_STATE;

typedef struct _EF_RULES {
    ULONG Count;
    USHORT EtherType[ETHFILTER_MAX_TYPES];
    int Source;                        /* ETHFILTER_RULES_* */
} EF_RULES;

typedef struct _EF_MODULE {
    LIST_ENTRY Link;                   /* EfDriver.Modules (EfDriver.Lock) */
    NDIS_HANDLE FilterHandle;
    CHAR Name[ETHFILTER_NAME_MAX];     /* the adapter's name without "\DEVICE\" */
    NDIS_SPIN_LOCK Lock;
    EF_MODULE_STATE State;             /* Lock */
    EF_RULES Rules;                    /* changed only while Paused */
    /* interlocked; DroppedXxx[i] counts Rules.EtherType[i] */
    LONG64 DroppedSend[ETHFILTER_MAX_TYPES];
    LONG64 DroppedReceive[ETHFILTER_MAX_TYPES];
    LONG64 PassedSend, PassedReceive, RejectedSend, RejectedReceive;
} EF_MODULE, *PEF_MODULE;

typedef struct _EF_DRIVER {
    NDIS_HANDLE FilterDriverHandle;
    NDIS_SPIN_LOCK Lock;
    LIST_ENTRY Modules;                /* EF_MODULE.Link (Lock) */
} EF_DRIVER;

extern EF_DRIVER EfDriver;

EF_MODULE_STATE EfState(_In_ PEF_MODULE Module, BOOLEAN AtDispatchLevel);

/* ---- ef_config.c ---------------------------------------------------------- */

/* Reads the module's rules (module key, else driver parameters). PASSIVE_LEVEL. */
_IRQL_requires_(PASSIVE_LEVEL)
VOID EfReadRules(_In_ PEF_MODULE Module, _Out_ EF_RULES *Rules);
/*
 * Parses a list of EtherTypes in hex ("0x86DD, 88cc"), separated by commas,
 * semicolons, blanks or NULs (a REG_MULTI_SZ). Bad entries are reported and
 * skipped. Returns the number of types stored.
 */
ULONG EfParseEtherTypes(_In_reads_(Length) const WCHAR *Text, ULONG Length,
                        _In_z_ const CHAR *Module, _Inout_ EF_RULES *Rules);
/* Installs new rules on a Paused module, keeping the counts of types that stay. */
VOID EfApplyRules(_Inout_ PEF_MODULE Module, _In_ const EF_RULES *Rules);

/* ---- ef_data.c ------------------------------------------------------------ */

FILTER_SEND_NET_BUFFER_LISTS EfSendNetBufferLists;
FILTER_SEND_NET_BUFFER_LISTS_COMPLETE EfSendNetBufferListsComplete;
FILTER_RECEIVE_NET_BUFFER_LISTS EfReceiveNetBufferLists;
FILTER_RETURN_NET_BUFFER_LISTS EfReturnNetBufferLists;

#endif /* _EF_H_ */
