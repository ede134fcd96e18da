// The CNI protocol (spec 1.0): a network's plugins run in order for ADD, each handed the result
// of the one before as `prevResult`, and in reverse for DEL, each handed the cached ADD result
// (as libcni does; without it the firewall and portmap plugins' DEL removes nothing and rules
// pile up). Plugins are executables in the CNI path that read their config on stdin.

import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { BerthError } from '../../errors.js';
import { safeParse } from '../../validation.js';
import { childProcess } from '../../lazy-node.js';

const pluginConfigSchema = z.looseObject({ type: z.string().check(z.minLength(1)), capabilities: z.optional(z.record(z.string(), z.boolean())) });

export const networkConfigListSchema = z.looseObject({
  cniVersion: z.string(),
  name: z.string().check(z.minLength(1)),
  plugins: z.array(pluginConfigSchema).check(z.minLength(1)),
});

export type NetworkConfigList = z.output<typeof networkConfigListSchema>;

const resultSchema = z.looseObject({
  cniVersion: z.optional(z.string()),
  interfaces: z.optional(z.array(z.looseObject({ name: z.string(), mac: z.optional(z.string()), sandbox: z.optional(z.string()) }))),
  ips: z.optional(
    z.array(z.looseObject({ address: z.string(), gateway: z.optional(z.string()), interface: z.optional(z.number()) })),
  ),
});

export type CniResult = z.output<typeof resultSchema>;

const errorSchema = z.looseObject({ code: z.optional(z.number()), msg: z.optional(z.string()), details: z.optional(z.string()) });

export interface Attachment {
  readonly containerId: string;
  readonly netns: string;
  readonly ifName: string;
  /** values for plugins that declare the capability, e.g. `portMappings` */
  readonly capabilityArgs?: Readonly<Record<string, unknown>>;
}

/** Where the plugins are: each directory of the colon-separated CNI path, first match wins. */
async function findPlugin(cniPath: string, type: string): Promise<string> {
  for (const directory of cniPath.split(':').filter(Boolean)) {
    const candidate = join(directory, type);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next directory
    }
  }
  throw new BerthError('failed-precondition', `CNI plugin ${JSON.stringify(type)} not found in ${cniPath} (install Debian's containernetworking-plugins or set cni_path)`);
}

function pluginInput(list: NetworkConfigList, index: number, attachment: Attachment, prevResult: CniResult | undefined): string {
  const plugin = list.plugins[index];
  const input: Record<string, unknown> = { ...plugin, cniVersion: list.cniVersion, name: list.name };
  delete input.capabilities;
  const runtimeConfig: Record<string, unknown> = {};
  for (const [capability, enabled] of Object.entries(plugin.capabilities ?? {})) {
    const value = attachment.capabilityArgs?.[capability];
    if (enabled && value !== undefined) runtimeConfig[capability] = value;
  }
  if (Object.keys(runtimeConfig).length > 0) input.runtimeConfig = runtimeConfig;
  if (prevResult) input.prevResult = prevResult;
  return JSON.stringify(input);
}

async function execPlugin(cniPath: string, list: NetworkConfigList, index: number, command: 'ADD' | 'DEL', attachment: Attachment, prevResult: CniResult | undefined): Promise<string> {
  const type = list.plugins[index].type;
  const binary = await findPlugin(cniPath, type);
  const env = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    CNI_COMMAND: command,
    CNI_CONTAINERID: attachment.containerId,
    CNI_NETNS: attachment.netns,
    CNI_IFNAME: attachment.ifName,
    CNI_PATH: cniPath,
  };
  return new Promise((resolvePromise, reject) => {
    const child = childProcess().spawn(binary, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', (error) => reject(new BerthError('internal', `CNI plugin ${type}: ${error.message}`, { cause: error })));
    child.once('close', (code) => {
      const output = Buffer.concat(stdout).toString('utf8');
      if (code === 0) return resolvePromise(output);
      let reason = Buffer.concat(stderr).toString('utf8').trim();
      try {
        const parsed = safeParse(errorSchema, JSON.parse(output));
        if (parsed.success) reason = [parsed.data.msg, parsed.data.details].filter(Boolean).join(': ') || reason;
      } catch {
        reason ||= output.trim();
      }
      reject(new BerthError('internal', `network ${list.name}: CNI plugin ${type} ${command} failed: ${reason || `exit status ${code}`}`));
    });
    child.stdin.end(pluginInput(list, index, attachment, prevResult));
  });
}

function parseResult(list: NetworkConfigList, type: string, output: string): CniResult {
  let value: unknown;
  try {
    value = JSON.parse(output);
  } catch {
    throw new BerthError('internal', `network ${list.name}: CNI plugin ${type} printed no JSON result`);
  }
  const parsed = safeParse(resultSchema, value);
  if (!parsed.success) throw new BerthError('internal', `network ${list.name}: CNI plugin ${type} printed an invalid result: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** ADD through every plugin of the list; the last plugin's result is the attachment's. */
export async function addNetwork(cniPath: string, list: NetworkConfigList, attachment: Attachment): Promise<CniResult> {
  let result: CniResult | undefined;
  for (let index = 0; index < list.plugins.length; index += 1) {
    result = parseResult(list, list.plugins[index].type, await execPlugin(cniPath, list, index, 'ADD', attachment, result));
  }
  return result!;
}

/**
 * DEL through every plugin in reverse, each given the ADD's result. Every plugin is tried even
 * when one fails, so that one broken step does not leave the others' state behind.
 */
export async function deleteNetwork(cniPath: string, list: NetworkConfigList, attachment: Attachment, cached: CniResult | undefined): Promise<void> {
  const failures: unknown[] = [];
  for (let index = list.plugins.length - 1; index >= 0; index -= 1) {
    await execPlugin(cniPath, list, index, 'DEL', attachment, cached).catch((error: unknown) => failures.push(error));
  }
  if (failures.length > 0) throw failures[0];
}
