import fs from 'node:fs';
import os from 'node:os';

/** A running job whose heartbeat is older than this has lost its server. */
export const HEARTBEAT_STALE_MS = 30_000;
/** How often a server renews the heartbeat of the jobs it runs (besides at each committed batch). */
export const HEARTBEAT_EVERY_MS = 10_000;

/**
 * This machine and PID namespace. Two processes with the same key can see each other's PIDs, so
 * one can tell at once that the other is gone. Containers on one host (even with the host's
 * network and hostname) have PID namespaces of their own, hence different keys.
 */
export const RUNNER_HOST = (() => {
  let ns = '';
  try {
    ns = fs.readlinkSync('/proc/self/ns/pid');
  } catch {
    // No /proc (not Linux): only the heartbeat tells whether a job's runner is alive.
    return null;
  }
  return `${os.hostname()}|${ns}`.slice(0, 300);
})();

export interface RunnerInfo { runnerHost: string | null; runnerPid: number | null; heartbeatAt: unknown }

/**
 * Whether the process that ran a job (and does not run it in this process) is gone: it was on this
 * host and its PID is ours or no longer exists, or its heartbeat is stale. A PID reused by another
 * process only delays the answer until the heartbeat goes stale; it never interrupts a live job.
 */
export function runnerIsGone(job: RunnerInfo, now = Date.now()): boolean {
  if (RUNNER_HOST && job.runnerHost === RUNNER_HOST && job.runnerPid !== null) {
    const pid = Number(job.runnerPid);
    if (pid === process.pid || !processExists(pid)) return true;
  }
  return heartbeatIsStale(job.heartbeatAt, now);
}

export function heartbeatIsStale(heartbeatAt: unknown, now = Date.now()): boolean {
  if (!heartbeatAt) return true;
  const at = new Date(heartbeatAt as string).getTime();
  return !Number.isFinite(at) || now - at > HEARTBEAT_STALE_MS;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
