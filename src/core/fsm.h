/*
 * fsm.h - explicit state machines for adapters, bindings and filter modules.
 *
 * Each object has one atomic state field. Its transition table is written from
 * the concept page's table (rows: events, columns: states, blank = invalid).
 * ndisi_fsm_apply() is the only way the state changes; an event the table does
 * not allow is reported (NDISI_V_STATE) naming the object, its state and the
 * event, and the state is left unchanged.
 */
#ifndef NDISI_FSM_H
#define NDISI_FSM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define NDISI_FSM_INVALID 0xff

struct ndisi_fsm {
    const char *kind;                /* "miniport adapter", "protocol binding" ... */
    const char *page;                /* the concept page the table comes from */
    unsigned nstates;
    unsigned nevents;
    const char *const *state_names;
    const char *const *event_names;
    const uint8_t *table;            /* table[event * nstates + state] = next state */
};

/* Applies `event`; returns true and the new state in *out_new (if not NULL). */
bool ndisi_fsm_apply(const struct ndisi_fsm *fsm, atomic_int *state, unsigned event,
                     const char *objname, const char *ddi);

/* True if `event` is allowed in the current state (no report). */
bool ndisi_fsm_allowed(const struct ndisi_fsm *fsm, int state, unsigned event);

static inline const char *ndisi_fsm_state_name(const struct ndisi_fsm *fsm, int state)
{
    return (unsigned)state < fsm->nstates ? fsm->state_names[state] : "?";
}

#endif /* NDISI_FSM_H */
