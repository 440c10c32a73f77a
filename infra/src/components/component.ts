export type ComponentName = 'redis' | 'mariadb' | 'kafka' | 'mongo';

/** One piece of local infrastructure, run as a process of our own under the state folder. */
export interface Component {
  readonly name: ComponentName;
  /** Where clients reach it, e.g. `127.0.0.1:6379`. */
  readonly address: string;
  readonly logFile: string;
  /** How long a start may take before it counts as failed. */
  readonly startTimeoutMs: number;
  isInstalled(): Promise<boolean>;
  install(): Promise<void>;
  /** A real round trip (PING, hello, describeCluster...), false on any error. */
  isReady(): Promise<boolean>;
  /** True while the process we started (pid file) is alive. */
  isRunning(): boolean;
  /** The pid of the process we started, while it is alive (fault drills signal it). */
  pid(): number | undefined;
  /**
   * Spawns the server detached; returns without waiting for readiness. Reuse is the
   * caller's check (ensureComponent: nothing answers, and no process of ours runs).
   */
  start(): Promise<void>;
  /** Stops only the process we started (pid file), gracefully, waiting for it to exit. */
  stop(): Promise<void>;
}
