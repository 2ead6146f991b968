/*
 * ndis/config.h - driver configuration (registry) access: NDIS_CONFIGURATION_OBJECT,
 * NDIS_CONFIGURATION_PARAMETER and the NdisOpenConfigurationEx family.
 *
 * Part of libndis' split of the WDK's monolithic ndis.h (docs/headers.md).
 * Every routine here runs at PASSIVE_LEVEL (the key-opening ones at
 * < DISPATCH_LEVEL), per the nf-ndis-*.md pages.
 */
#ifndef _NDIS_CONFIG_H_
#define _NDIS_CONFIG_H_

#include <ntdef.h>
#include <wdm.h>
#include <ndis/types.h>
#include <ndis/objectheader.h>

EXTERN_C_START

/* ns-ndis-_ndis_configuration_object.md */
typedef struct _NDIS_CONFIGURATION_OBJECT {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT */
    NDIS_HANDLE NdisHandle;
    ULONG Flags;
} NDIS_CONFIGURATION_OBJECT, *PNDIS_CONFIGURATION_OBJECT;

#define NDIS_CONFIGURATION_OBJECT_REVISION_1 1
#define NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1                             \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_CONFIGURATION_OBJECT, Flags)

/* A monitoring filter opens the configuration of one filter module instance. */
#define NDIS_CONFIG_FLAG_FILTER_INSTANCE_CONFIGURATION 0x00000001

/* ne-ndis-_ndis_parameter_type.md */
typedef enum _NDIS_PARAMETER_TYPE {
    NdisParameterInteger,
    NdisParameterHexInteger,
    NdisParameterString,
    NdisParameterMultiString,
    NdisParameterBinary
} NDIS_PARAMETER_TYPE, *PNDIS_PARAMETER_TYPE;

/* The values of the predefined keywords NdisReadConfiguration answers
 * (nf-ndis-ndisreadconfiguration.md): ProcessorType, and Environment (an NDIS 5
 * keyword, NdisEnvironmentWindowsNt on every NT-based system). */
typedef enum _NDIS_PROCESSOR_TYPE {
    NdisProcessorX86,
    NdisProcessorMips,
    NdisProcessorAlpha,
    NdisProcessorPpc,
    NdisProcessorAmd64,
    NdisProcessorIA64,
    NdisProcessorArm,
    NdisProcessorArm64
} NDIS_PROCESSOR_TYPE, *PNDIS_PROCESSOR_TYPE;

typedef enum _NDIS_ENVIRONMENT_TYPE {
    NdisEnvironmentWindows,
    NdisEnvironmentWindowsNt
} NDIS_ENVIRONMENT_TYPE, *PNDIS_ENVIRONMENT_TYPE;

/* ns-ndis-binary_data.md */
typedef struct _BINARY_DATA {
    USHORT Length;
    PVOID Buffer;
} BINARY_DATA;

/* ns-ndis-_ndis_configuration_parameter.md */
typedef struct _NDIS_CONFIGURATION_PARAMETER {
    NDIS_PARAMETER_TYPE ParameterType;
    union {
        ULONG IntegerData;
        NDIS_STRING StringData;
        BINARY_DATA BinaryData;
    } ParameterData;
} NDIS_CONFIGURATION_PARAMETER, *PNDIS_CONFIGURATION_PARAMETER;

_IRQL_requires_(PASSIVE_LEVEL)
_Must_inspect_result_
NDIS_STATUS
NdisOpenConfigurationEx(_In_ PNDIS_CONFIGURATION_OBJECT ConfigObject,
                        _Out_ PNDIS_HANDLE ConfigurationHandle);

/*
 * On success *ParameterValue points to NDIS-owned storage that stays valid until
 * NdisCloseConfiguration; a NdisParameterHexInteger read comes back as
 * NdisParameterInteger.
 */
_IRQL_requires_(PASSIVE_LEVEL)
VOID
NdisReadConfiguration(_Out_ PNDIS_STATUS Status,
                      _Out_ PNDIS_CONFIGURATION_PARAMETER *ParameterValue,
                      _In_ NDIS_HANDLE ConfigurationHandle,
                      _In_ PNDIS_STRING Keyword,
                      _In_ NDIS_PARAMETER_TYPE ParameterType);

_IRQL_requires_(PASSIVE_LEVEL)
VOID
NdisWriteConfiguration(_Out_ PNDIS_STATUS Status,
                       _In_ NDIS_HANDLE ConfigurationHandle,
                       _In_ PNDIS_STRING Keyword,
                       _In_ PNDIS_CONFIGURATION_PARAMETER ParameterValue);

_IRQL_requires_(PASSIVE_LEVEL)
VOID
NdisCloseConfiguration(_In_ NDIS_HANDLE ConfigurationHandle);

/* The address buffer belongs to NDIS and lives until NdisCloseConfiguration. */
_IRQL_requires_(PASSIVE_LEVEL)
VOID
NdisReadNetworkAddress(_Out_ PNDIS_STATUS Status,
                       _Out_ PVOID *NetworkAddress,
                       _Out_ PUINT NetworkAddressLength,
                       _In_ NDIS_HANDLE ConfigurationHandle);

_IRQL_requires_max_(APC_LEVEL)
VOID
NdisOpenConfigurationKeyByName(_Out_ PNDIS_STATUS Status,
                               _In_ NDIS_HANDLE ConfigurationHandle,
                               _In_ PNDIS_STRING SubKeyName,
                               _Out_ PNDIS_HANDLE SubKeyHandle);

_IRQL_requires_max_(APC_LEVEL)
VOID
NdisOpenConfigurationKeyByIndex(_Out_ PNDIS_STATUS Status,
                                _In_ NDIS_HANDLE ConfigurationHandle,
                                _In_ ULONG Index,
                                _Out_ PNDIS_STRING KeyName,
                                _Out_ PNDIS_HANDLE KeyHandle);

/*
 * The key a protocol's ProtocolSection names (NDIS_BIND_PARAMETERS.ProtocolSection,
 * "<protocol service>\Parameters\Adapters\<adapter>"): the binding's key
 * (nf-ndis-ndisopenprotocolconfiguration.md; an NDIS 5 DDI that NDIS 6 drivers
 * replace with NdisOpenConfigurationEx on their BindParameters).
 */
_IRQL_requires_(PASSIVE_LEVEL)
VOID
NdisOpenProtocolConfiguration(_Out_ PNDIS_STATUS Status,
                              _Out_ PNDIS_HANDLE ConfigurationHandle,
                              _In_ PNDIS_STRING ProtocolSection);

EXTERN_C_END

#endif /* _NDIS_CONFIG_H_ */
