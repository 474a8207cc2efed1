// Runs a long-lived command (the demo's dev server) in the foreground until it ends or the user
// presses Ctrl+C. Ctrl+C is the normal way to stop it, so it counts as success: no error, status 0.
import { spawn } from 'node:child_process';
import { delimiter, join } from 'node:path';

/**
 * Runs `command` (a package.json script line, through the shell) in `cwd` with the
 * node_modules/.bin folders of `binDirs` on PATH, as `npm run` would, but without npm or pnpm in
 * between (they report an interrupted script as a failure). SIGINT and SIGTERM received by this
 * process are forwarded to the child. Resolves with the exit status to use: the child's own, or 0
 * when the child ended because of an interrupt (by the signal, or with status 130 after handling it).
 */
export function runForeground(command, { cwd, binDirs = [], env = process.env } = {}) {
  const PATH = [...binDirs.map((d) => join(d, 'node_modules', '.bin')), env.PATH ?? ''].join(delimiter);
  // `exec`: the shell becomes the command, so a forwarded signal reaches it (a waiting shell defers it).
  const simple = process.platform !== 'win32' && !/[;&|<>()$`\n]/.test(command);
  const line = simple ? `exec ${command}` : command;
  const child = spawn(line, { cwd, env: { ...env, PATH }, stdio: 'inherit', shell: true });
  let interrupted = false;
  const forward = (signal) => {
    interrupted = true;
    // A terminal's Ctrl+C reaches the child too (same process group); `kill -INT <this pid>` does not.
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    const done = (status) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(status);
    };
    child.on('error', (e) => {
      console.error(`bootstrap: could not start '${command}': ${e.message}`);
      done(1);
    });
    child.on('exit', (code, signal) => {
      const byInterrupt = signal === 'SIGINT' || signal === 'SIGTERM' || (interrupted && code === 130);
      done(byInterrupt || (interrupted && code === 0) ? 0 : (code ?? 1));
    });
  });
}

/** `arg` quoted for a POSIX shell (extra arguments appended to a script line). */
export function shellQuote(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}
