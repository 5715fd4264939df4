// Child processes started exactly as a supervisor (or the README) starts them, with their output kept so
// a test can wait for a log line and a failing test can show what the process said.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export const PROJECT_ROOT = path.join(__dirname, "..", "..");

export interface Started {
  child: ChildProcess;
  name: string;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves when `pattern` appears in the output (rejects on exit or after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

/** Runs `node -r ts-node/register/transpile-only <script> …args` with `env` added to this process's. */
export function startNodeScript(name: string, script: string, { env = {}, args = [], nodeArgs = [] }: { env?: Record<string, string>; args?: string[]; nodeArgs?: string[] } = {}): Started {
  return startCommand(name, process.execPath, [...nodeArgs, "-r", "ts-node/register/transpile-only", script, ...args], env);
}

export function startCommand(name: string, command: string, args: string[], env: Record<string, string> = {}): Started {
  const child = spawn(command, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    for (const l of listeners) l();
  });
  return {
    child,
    name,
    output: () => out,
    exited,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(out);
          if (m) {
            done();
            resolve(m[0]);
          } else if (hasExited) {
            done();
            reject(new Error(`${name} exited before printing ${pattern}:\n${out}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms:\n${out}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
  };
}
