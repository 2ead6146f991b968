/*
 * filters.c - the cost of filter modules on the data path: chains of 64 NBLs
 * sent and completed, and indicated and returned, through 0, 1, 2 and 4
 * pass-through modules (each calls NdisFSendNetBufferLists and the other NDIS
 * functions from its handlers), and through 4 modules that bypass the data
 * path (no send or receive handlers), beside the direct-call floor (the same
 * protocol and miniport wired to each other). Prints ns per NBL for each stack, the
 * cost of one pass-through hop, and how far 4 bypassing modules are from none.
 * Each stack is measured several times, interleaved with the others, and the
 * fastest run counts (the machine is shared; the minimum is the stable figure).
 *
 *   build-rel/bench/filters [seconds-per-run] [runs]     (scripts/bench.sh runs it)
 *
 * Targets: under 15 ns per NBL per pass-through hop; 4 bypassing modules
 * within 5% of no module.
 */
#include <stdio.h>
#include <stdlib.h>

#include "benchdrv.h"

enum { K64 = 2 }; /* bench_prepare's chain of 64 */

struct stack {
    const char *name;
    int filters, bypass;
    bool direct;  /* the drivers wired to each other: the floor */
    double ns[2]; /* [send] best ns per NBL */
};

static double run(int send, double seconds)
{
    for (int w = 0; w < 1000; w++) {
        if (send)
            bench_send(0, K64);
        else
            bench_indicate(0, 64);
    }
    unsigned long long t0 = bench_ns(), t = t0, calls = 0;
    unsigned long long until = t0 + (unsigned long long)(seconds * 1e9);
    while (t < until) {
        for (int b = 0; b < 128; b++) {
            if (send)
                bench_send(0, K64);
            else
                bench_indicate(0, 64);
        }
        calls += 128;
        t = bench_ns();
    }
    return (double)(t - t0) / (double)(calls * 64);
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 0.15;
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    struct stack st[] = {
        {"no module", 0, 0, false, {0, 0}},
        {"1 pass-through", 1, 0, false, {0, 0}},
        {"2 pass-through", 2, 0, false, {0, 0}},
        {"4 pass-through", 4, 0, false, {0, 0}},
        {"4 bypassing", 0, 4, false, {0, 0}},
        {"direct floor", 0, 0, true, {0, 0}},
    };
    const int n = (int)(sizeof(st) / sizeof(st[0]));
    bench_work = BENCH_WORK_HEADER;
    for (int r = 0; r < runs; r++)
        for (int i = 0; i < n; i++) {
            ndis_host *h = bench_up(1, st[i].filters, st[i].bypass);
            bench_prepare(0);
            bench_direct = st[i].direct;
            for (int s = 0; s < 2; s++) {
                double v = run(s, seconds);
                if (r == 0 || v < st[i].ns[s])
                    st[i].ns[s] = v;
            }
            bench_direct = false;
            bench_release(0);
            bench_down(h);
        }

    printf("%-16s %18s %18s\n", "stack (chain 64)", "send+complete ns", "indicate+return ns");
    for (int i = 0; i < n; i++)
        printf("%-16s %18.2f %18.2f\n", st[i].name, st[i].ns[1], st[i].ns[0]);
    double hop[2], byp[2];
    for (int s = 0; s < 2; s++) {
        hop[s] = (st[3].ns[s] - st[0].ns[s]) / 4.0;
        byp[s] = (st[4].ns[s] / st[0].ns[s] - 1.0) * 100.0;
    }
    printf("\nper pass-through hop: send+complete %.2f ns per NBL, indicate+return %.2f ns per "
           "NBL (target < 15)\n",
           hop[1], hop[0]);
    printf("4 bypassing modules vs none: send+complete %+.1f%%, indicate+return %+.1f%% "
           "(target within 5%%)\n",
           byp[1], byp[0]);
    bool ok = hop[0] < 15 && hop[1] < 15 && byp[0] < 5 && byp[1] < 5;
    return ok ? 0 : 1;
}
