/*
 * slurm.h — the Slurm executor (`executor: slurm`): each trial is one batch job, submitted with
 * sbatch, followed through its output file, watched with squeue and scontrol, and cancelled
 * with scancel. No Slurm library: the command-line tools, found on PATH.
 *
 * The interface is the runner's (runner.h), so the tuner drives local processes and Slurm jobs
 * alike: start, poll for LINE and EXIT events, stop. An EXIT's `why` carries the job's end as
 * Slurm tells it (TIMEOUT, OUT_OF_MEMORY, cancelled by someone else, gone from the queue), and
 * `interrupted` marks ends that are the cluster's doing (PREEMPTED, NODE_FAIL, BOOT_FAIL).
 */
#ifndef LD_SLURM_H
#define LD_SLURM_H

#include <stddef.h>

#include "runner.h"
#include "spec.h"

typedef struct ld_slurm ld_slurm;

/* That the tools are on PATH is checked before the first trial (ld_spec_check_runnable). */

/* opts must outlive the executor; job_name prefixes every job's name. */
ld_slurm *ld_slurm_new(const ld_slurm_options *opts, const char *job_name);
/* Cancels every job still in flight (scancel) and frees the executor. */
void ld_slurm_free(ld_slurm *s);

/*
 * Submits the job: a script next to the log (LOG without .log, .sbatch) that exports env_set and
 * execs argv, with its output going to log_path. Returns the job's id (>= 0) and Slurm's job id
 * through *slurm_id. When sbatch refuses the job, the id is still valid and its EXIT (with
 * exec_errno set and sbatch's message as the tail) comes at the next poll; -1 only when the
 * script cannot be written (errno set).
 */
int ld_slurm_start(ld_slurm *s, const ld_job_spec *spec, long *slurm_id);
/* As ld_runner_poll: 1 and *ev, 0 when nothing happened in timeout_ms or a signal came. */
int ld_slurm_poll(ld_slurm *s, int timeout_ms, ld_run_event *ev);
/* scancel: Slurm sends SIGTERM to the job's processes and SIGKILL KillWait seconds later. */
void ld_slurm_stop(ld_slurm *s, int job);
/* Jobs not yet reported as ended. */
size_t ld_slurm_active(const ld_slurm *s);

#endif
