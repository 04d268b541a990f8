#ifndef AWSENV_PROCESS_SHIM_H
#define AWSENV_PROCESS_SHIM_H

/* Marks the process not dumpable (prctl PR_SET_DUMPABLE 0): no core file of its memory, which
 * holds keys and tokens, and no ptrace or /proc/PID/mem, environ or fd access by other
 * processes of the same user. Undone by execve, so a command started by `exec` is as usual.
 * prctl is variadic, which Swift cannot call. Returns prctl's result (0 on success). */
int awsenv_process_not_dumpable(void);

#endif
