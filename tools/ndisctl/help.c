/* help.c - ndisctl's help: the overview (--help) and one page per command. */
#include "help.h"

#include <string.h>

static const struct cmd_help cmds[] = {
    {"status", "status", "the daemon and the instance at a glance",
     "Shows the libndis version, the daemon's pid, user, start time, configuration\n"
     "file, socket and registry directory, the verifier mode, and what the instance\n"
     "holds: drivers, adapters, bindings, filter modules, NET_BUFFER_LIST pools and\n"
     "the tagged memory drivers allocated, and how many verifier reports (and leak\n"
     "reports) were made since the start.\n"},
    {"drivers", "drivers", "loaded drivers",
     "One line per loaded driver: its name, what it registered (miniport, protocol,\n"
     "filter), its adapters (miniport), open bindings (protocol) or attached modules\n"
     "(filter), the memory it holds (bytes in allocations), and the INF file and\n"
     "shared object it was loaded from.\n"},
    {"adapters", "adapters", "adapters with state, medium, MAC, link and counters",
     "One line per adapter: name, miniport driver, state (Initializing, Paused,\n"
     "Restarting, Running, Pausing ...), medium (802.3 ...), current MAC address,\n"
     "link state and speed, MTU, interface index, bindings and filter modules, and\n"
     "the counters NDIS keeps: NBLs sent, send-completed, indicated and returned.\n"},
    {"bindings", "bindings", "protocol-to-adapter bindings",
     "One line per binding: protocol, adapter, state (Opening, Paused, Running ...)\n"
     "and whether it is enabled. Bindings disabled with disable-binding are listed\n"
     "as Disabled even while they do not exist.\n"},
    {"stack", "stack [ADAPTER]", "filter stacks per adapter, top to bottom",
     "Shows the stack of ADAPTER (default: of every adapter) as NDIS routes it, from\n"
     "the top: the protocols bound to it, the filter modules attached to it in stack\n"
     "order (position 0 is next to the miniport) with each module's state, and the\n"
     "miniport at the bottom.\n"},
    {"load", "load FILE.so [--name NAME] [--inf FILE.inf]", "load a driver",
     "Loads the driver in FILE.so (a shared object exporting DriverEntry). With --inf,\n"
     "NDIS first installs the INF file (as pnputil /add-driver does): the component's\n"
     "class, bind rules (UpperRange, LowerRange), filter class, type, run type and\n"
     "media types, and the defaults of its Ndi\\params keywords, which drivers read\n"
     "with NdisReadConfiguration; the driver is loaded under the INF's service name.\n"
     "Without --inf, an INF next to the file (FILE.inf) is installed the same way.\n"
     "NAME (default: the service name, else the file name without .so) must match the\n"
     "INF's service. A file that exports no DriverEntry, a failing DriverEntry, a\n"
     "malformed INF (file:line: reason) or a driver that leaks on failure is reported\n"
     "with the driver's name; nothing of it stays in the instance. Paths are resolved\n"
     "by ndisctl before they are sent.\n"},
    {"unload", "unload DRIVER", "unload a driver",
     "Unloads DRIVER the way Windows does: a miniport's adapters are halted first,\n"
     "then the driver's unload routine runs. Resources it did not free are reported\n"
     "(and the command fails with EBUSY after unloading it).\n"},
    {"add-adapter", "add-adapter DRIVER NAME [--ifname IF] [--mac MAC]",
     "add an adapter of a miniport driver",
     "PnP arrival of a new adapter NAME of miniport DRIVER: MiniportInitializeEx,\n"
     "then filters attach and protocols bind. --ifname sets the *IfName keyword (the\n"
     "interface a virtual miniport creates), --mac the NetworkAddress keyword\n"
     "(02:00:4c:4f:4f:50 or 02-00-4C-4F-4F-50).\n"},
    {"remove-adapter", "remove-adapter NAME [--surprise]", "remove an adapter",
     "Orderly removal of adapter NAME (protocols unbind, filters detach, the miniport\n"
     "halts). --surprise removes it as a device that is gone.\n"},
    {"pause", "pause ADAPTER", "pause an adapter's stack",
     "Pauses the whole stack of ADAPTER (protocols, filters, miniport); it stays\n"
     "paused until restart.\n"},
    {"restart", "restart ADAPTER", "restart a paused stack",
     "Restarts the stack of ADAPTER, bottom up.\n"},
    {"enable-binding", "enable-binding PROTOCOL ADAPTER", "allow a binding",
     "Allows PROTOCOL to bind to ADAPTER again (it binds at once when both exist).\n"},
    {"disable-binding", "disable-binding PROTOCOL ADAPTER", "unbind and keep unbound",
     "Unbinds PROTOCOL from ADAPTER and keeps it from binding again; either may not\n"
     "exist yet.\n"},
    {"oid", "oid query|statistics ADAPTER OID [--length N]\n"
            "       oid set ADAPTER OID VALUE\n"
            "       oid names",
     "query or set an OID on an adapter",
     "Issues an OID request to ADAPTER as NDIS itself does: it enters the stack at\n"
     "the top, passes every filter module with an OID handler and reaches the\n"
     "miniport edge, where NDIS answers what it answers for every miniport and gives\n"
     "the rest to MiniportOidRequest. OID is a name (OID_GEN_LINK_SPEED, or\n"
     "GEN_LINK_SPEED) or a number (0x00010107). The answer is decoded by the OID's\n"
     "format: numbers, link speeds, MAC addresses and lists, packet filters, media,\n"
     "NDIS_LINK_STATE and NDIS_STATISTICS_INFO fields; unknown OIDs print as hex.\n"
     "--length sets the query buffer size (by default the OID's usual size, asking\n"
     "again when the driver says it needs more).\n"
     "VALUE for a set: a number (decimal or 0x hex), a MAC address, a comma-separated\n"
     "MAC list, packet filter names (DIRECTED|BROADCAST), or raw bytes as hex:0a0b...\n"
     "Sets of the OIDs NDIS keeps per binding (OID_GEN_CURRENT_PACKET_FILTER,\n"
     "OID_802_3_MULTICAST_LIST, OID_GEN_CURRENT_LOOKAHEAD) are refused: a protocol\n"
     "sets those on its own binding. A request the driver fails ends with exit\n"
     "status 1 and its NDIS_STATUS. 'oid names' lists the OIDs ndisctl knows.\n"},
    {"params", "params list NAME\n"
               "       params get SCOPE NAME KEYWORD\n"
               "       params set SCOPE NAME KEYWORD VALUE\n"
               "       params delete SCOPE NAME KEYWORD",
     "configuration keywords (the registry's role)",
     "Keywords drivers read with NdisReadConfiguration, as the strings the registry\n"
     "holds (\"1514\", \"02-00-4C-4F-4F-50\"). SCOPE and NAME say whose:\n"
     "  adapter ADAPTER     the keywords of an adapter (it need not exist yet), what\n"
     "                      its miniport reads, *IfName and NetworkAddress included\n"
     "  driver DRIVER       a driver's own parameters (its service key); a subkey may\n"
     "                      follow: DRIVER\\Sub\\Key\n"
     "  binding PROTO/ADAPTER  a protocol's per-binding key (what NdisOpenConfigurationEx\n"
     "                      opens for its binding to ADAPTER), e.g. an IPAddress\n"
     "  default DRIVER      the INF default of a keyword (for the driver and every\n"
     "                      adapter of it); not persisted\n"
     "Values set are persisted in the daemon's registry directory (--registry) and\n"
     "win over INF defaults; delete removes the value so the default shows again.\n"
     "'params list NAME' shows the Ndi\\params keywords of an adapter's driver (or of\n"
     "a driver) from its INF, with type, default and current value. A driver reads\n"
     "new values when it next reads its configuration (typically when an adapter is\n"
     "added or a binding opens).\n"},
    {"reports", "reports [--count N]", "recent verifier reports",
     "The most recent verifier reports (default 50): time, class (irql, handle,\n"
     "parameter, state, leak ...), the DDI or callback concerned and the message with\n"
     "the rule. The daemon runs the verifier in log mode: a violation is reported and\n"
     "the call fails safely instead of aborting.\n"},
    {"trace", "trace [--count N]", "show the NDIS call trace live",
     "Streams every call NDIS makes into a driver, and its return with the status,\n"
     "as it happens: time since the first event, the driver, the function\n"
     "(MiniportPause, ProtocolBindAdapterEx, FilterOidRequest ...) and the adapter,\n"
     "binding or module concerned, indented by nesting. Runs until Ctrl-C, until N\n"
     "events were shown (--count), or until the daemon stops (its shutdown is traced\n"
     "to the end). With --json each event is one JSON object per line.\n"},
    {"capture",
     "capture ADAPTER [--at miniport|protocol|FILTER[:below]] [-s SNAPLEN] [-c COUNT]\n"
     "               -w FILE|-",
     "write the frames of an adapter to a pcap file",
     "Captures the frames that pass one point of ADAPTER's stack and writes them to\n"
     "FILE in pcap format (Ethernet link type), the format tcpdump -r and Wireshark\n"
     "read; '-w -' writes to standard output (ndisctl capture a0 -w - | tcpdump -r -).\n"
     "--at chooses the point: miniport (default: the edge just above the miniport,\n"
     "every frame the adapter sends or receives), protocol (the edge just below the\n"
     "protocols), or the name of a filter driver (the edge just above its module;\n"
     "FILTER:below, the edge just below it). Frames going down and coming up are\n"
     "both written. -s keeps at most SNAPLEN bytes of each frame (1 to 65535, the\n"
     "default), -c stops after COUNT frames; otherwise Ctrl-C stops. ndisd copies\n"
     "frames into a bounded buffer and never slows the data path: when ndisctl reads\n"
     "too slowly, frames are dropped and counted, and the count is printed at the\n"
     "end (ndisd --capture-buffer sets the buffer). The capture ends when the adapter\n"
     "is removed or ndisd stops.\n"},
    {"help", "help [COMMAND]", "this help, or a command's", ""},
};

const struct cmd_help *help_find(const char *name)
{
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (strcmp(cmds[i].name, name) == 0)
            return &cmds[i];
    return NULL;
}

void help_overview(FILE *out)
{
    fputs("Usage: ndisctl [-s SOCKET] [--json] [--timeout SECONDS] COMMAND [ARGUMENT]...\n"
          "Control ndisd(8), the NDIS daemon, over its Unix socket.\n"
          "\n"
          "Options:\n"
          "  -s, --socket PATH   the daemon's socket (default $NDISD_SOCKET, else\n"
          "                      /run/ndis/ndisd.sock)\n"
          "  -j, --json          print the daemon's JSON response (pretty) instead of\n"
          "                      tables; trace prints one JSON object per line\n"
          "  -t, --timeout SECS  give up waiting for a response (default 120; 0: never)\n"
          "  -h, --help          this help; 'ndisctl help COMMAND' for a command\n"
          "  -V, --version       ndisctl's version\n"
          "\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        fprintf(out, "  %-16s %s\n", cmds[i].name, cmds[i].summary);
    fputs("\n"
          "Exit status: 0 success; 1 the command failed (the reason is on standard\n"
          "error; with --json the error response is printed too); 2 usage error; 3 the\n"
          "daemon cannot be reached (not running, wrong socket, or access refused: only\n"
          "root and the daemon's user may use it).\n"
          "\n"
          "JSON (--json) prints the whole response: {\"ok\": true, \"result\": ...} or\n"
          "{\"ok\": false, \"error\": \"...\", \"errno\": \"ENOENT\", \"messages\": [...]}.\n"
          "See ndisctl(8) and docs/ndisd.md for the protocol and every field.\n",
          out);
}

bool help_command(FILE *out, const char *name)
{
    const struct cmd_help *h = help_find(name);
    if (!h)
        return false;
    if (strcmp(name, "help") == 0) {
        help_overview(out);
        return true;
    }
    fprintf(out, "Usage: ndisctl [OPTIONS] %s\n%s.\n\n%s", h->synopsis, h->summary, h->text);
    return true;
}
