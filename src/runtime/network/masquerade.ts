// Outbound NAT for a bridge network: one POSTROUTING rule per network, as Docker keeps one per
// bridge, rather than the CNI bridge plugin's `ipMasq`, which makes a chain of its own for every
// container (8 iptables processes at each ADD and 5 at each DEL, ~40% of a run's network cost).

import { BerthError } from '../../errors.js';
import { childProcess } from '../../lazy-node.js';
import type { Network } from './networks.js';

/** Networks berth made before the rule was berth's keep the bridge plugin's `ipMasq`. */
export function masqueradedByBerth(network: Network): boolean {
  if (network.internal) return false;
  const bridge = network.configList.plugins.find((plugin) => plugin.type === 'bridge') as { ipMasq?: boolean } | undefined;
  return bridge?.ipMasq !== true;
}

function ruleSpec(network: Network): string[] {
  return ['POSTROUTING', '-s', network.subnet, '!', '-o', network.bridge, '-m', 'comment', '--comment', `berth network ${network.name}`, '-j', 'MASQUERADE'];
}

function iptables(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    childProcess().execFile('iptables', ['--wait', '-t', 'nat', ...args], (error, _stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 127) : 0;
      resolve({ code, stderr: String(stderr).trim() || (error?.message ?? '') });
    });
  });
}

/**
 * The network's rule, added when missing (a first container, or iptables flushed by a reboot while
 * the network's config stayed). Call under the host network lock.
 */
export async function ensureMasquerade(network: Network): Promise<void> {
  if (!masqueradedByBerth(network)) return;
  if ((await iptables(['-C', ...ruleSpec(network)])).code === 0) return;
  const added = await iptables(['-A', ...ruleSpec(network)]);
  if (added.code !== 0) throw new BerthError('internal', `adding the masquerade rule of network ${network.name}: ${added.stderr}`);
}

/** Removes the rule (there may be none: the network never had a container). */
export async function removeMasquerade(network: Network): Promise<void> {
  if (!masqueradedByBerth(network)) return;
  while ((await iptables(['-D', ...ruleSpec(network)])).code === 0);
}
