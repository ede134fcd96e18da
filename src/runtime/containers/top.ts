// `top`: as Docker's daemon does it, the host's `ps` runs with the user's options and only the
// rows of the container's processes (Tasks.ListPids) are kept, with the continuation rows
// (`-` in the PID column, e.g. threads under `-L`) that follow one of them.

import { BerthError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import type { ContainerRecord } from './record.js';
import { childProcess } from '../../lazy-node.js';

export interface ProcessList {
  readonly titles: string[];
  readonly processes: string[][];
}

/** Go's strings.FieldsFunc on ASCII white space, as the daemon splits ps's lines. */
function fields(line: string): string[] {
  return line.split(/[\t\n\f\r ]+/).filter((field) => field !== '');
}

/** `pid=PID` is the only `key=PID…` header rename ps may be given: the PID column must stay findable. */
export function validatePsArgs(psArgs: string): void {
  for (const match of psArgs.matchAll(/\s+([^\s]*)=\s*(PID[^\s]*)/g)) {
    if (match[1] !== 'pid') throw new BerthError('invalid-argument', `specifying "${match[1]}=${match[2]}" is not allowed`);
  }
}

/** ps's output, only the rows of `pids`; the last column takes what is left of a row (COMMAND's spaces). */
export function filterPsOutput(output: string, pids: readonly number[]): ProcessList {
  const lines = output.split('\n');
  const titles = fields(lines[0] ?? '');
  const pidIndex = titles.indexOf('PID');
  if (pidIndex === -1) throw new BerthError('internal', "Couldn't find PID field in ps output");
  const wanted = new Set(pids);
  const processes: string[][] = [];
  const row = (cells: string[]) => [...cells.slice(0, titles.length - 1), cells.slice(titles.length - 1).join(' ')];
  let afterContained = false;
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const cells = fields(line);
    if (cells[pidIndex] === '-') {
      if (afterContained) processes.push(row(cells));
      continue;
    }
    if (!/^[+-]?\d+$/.test(cells[pidIndex] ?? '')) throw new BerthError('internal', `Unexpected pid '${cells[pidIndex]}'`);
    afterContained = wanted.has(Number(cells[pidIndex]));
    if (afterContained) processes.push(row(cells));
  }
  return { titles, processes };
}

function runPs(args: readonly string[]): Promise<{ ok: true; stdout: string } | { ok: false; message: string }> {
  return new Promise((resolve) => {
    childProcess().execFile('ps', args, { maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (!error) resolve({ ok: true, stdout });
      else resolve({ ok: false, message: String(stderr).split('\n')[0] || error.message });
    });
  });
}

/** The container's processes as `ps` shows them; `psArgs` is the user's words after the container (`-ef` by default). */
export async function containerTop(context: RuntimeContext, record: ContainerRecord, psArgs: string): Promise<ProcessList> {
  const args = psArgs === '' ? '-ef' : psArgs;
  validatePsArgs(args);
  if (record.status !== 'running' && record.status !== 'paused') {
    throw new BerthError('failed-precondition', `container ${record.id} is not running`);
  }
  const { processes } = await context.containerd.unary<{ processes: { pid: number }[] }>('tasks', 'ListPids', { container_id: record.id });
  const pids = processes.map((process) => process.pid);
  const argv = args.split(' ');
  // some ps options (such as f) refuse -q: then all processes are listed and filtered
  let result = await runPs([...argv, `-q${pids.join(',')}`]);
  if (!result.ok) result = await runPs(argv);
  if (!result.ok) throw new BerthError('internal', `ps: ${result.message}`);
  return filterPsOutput(result.stdout, pids);
}
