/*
 * Signals become loop events (tmux proc.c): a handler only sets a flag and
 * wakes the loop, which acts on the flag at its next turn. Fatal signals
 * put the terminal back before the default action (htop CRT.c).
 */
#ifndef CHOPS_SIGNALS_H
#define CHOPS_SIGNALS_H

struct loop;

#define SIGEV_QUIT	0x01	/* SIGINT, SIGTERM, SIGHUP */
#define SIGEV_RESIZE	0x02	/* SIGWINCH; SIGCONT (size may have changed) */

/* Installs the handlers; `loop` is woken by each signal. */
void	signals_install(struct loop *);
/* Puts back the handlers that were there before. */
void	signals_restore(void);
/* Takes the events seen since the last call (SIGEV_*); *signo: quit's. */
int	signals_take(int *signo);

#endif
