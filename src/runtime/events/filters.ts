// `events --filter`, as Docker's daemon applies it: values of one key are alternatives, different
// keys must all hold, except `label`, whose values must all match (Docker's MatchKVList).

import { parseFilterArgs } from '../../filter-args.js';
import { matchesEveryLabel } from '../label-filters.js';
import type { DockerEvent } from './docker-events.js';

/** Keys matched as a name or ID prefix against every event's actor, whatever its type (as Docker does). */
const NAME_KEYS = ['container', 'daemon', 'plugin', 'volume', 'network', 'node', 'service', 'secret', 'config'] as const;
const KEYS = new Set<string>([...NAME_KEYS, 'event', 'type', 'scope', 'image', 'label']);
// Docker matches these actions by prefix: theirs carry the command (`exec_create: sh -c …`)
const FUZZY_ACTIONS = new Set(['health_status', 'exec_create', 'exec_start']);

export type EventFilters = ReadonlyMap<string, readonly string[]>;

export function parseEventFilters(values: readonly string[]): EventFilters {
  return parseFilterArgs(values, KEYS);
}

export function eventMatches(filters: EventFilters, event: DockerEvent): boolean {
  const exact = (key: string, ...sources: string[]) => {
    const values = filters.get(key);
    return !values || sources.some((source) => values.includes(source));
  };
  const fuzzy = (key: string, ...sources: string[]) => {
    const values = filters.get(key);
    return !values || sources.some((source) => values.some((value) => source.startsWith(value)));
  };
  const actions = filters.get('event') ?? [];
  const actionMatches = actions.some((action) => FUZZY_ACTIONS.has(action)) ? fuzzy('event', event.action) : exact('event', event.action);
  const name = event.attributes.name ?? '';
  const imageName = event.attributes[event.type === 'image' ? 'name' : 'image'] ?? '';
  return (
    actionMatches &&
    exact('type', event.type) &&
    exact('scope', 'local') &&
    NAME_KEYS.every((key) => fuzzy(key, event.actorId, name)) &&
    exact('image', event.actorId, imageName, withoutTag(event.actorId), withoutTag(imageName)) &&
    matchesEveryLabel(filters.get('label') ?? [], event.attributes)
  );
}

/** A reference's familiar repository without tag or digest: Docker's stripTag. */
export function withoutTag(reference: string): string {
  if (/^[a-z0-9]+:[a-f0-9]{32,}$/.test(reference)) return reference; // an ID, not a name
  const name = reference.split('@')[0];
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const repository = colon > slash ? name.slice(0, colon) : name;
  return repository.replace(/^(?:docker\.io|index\.docker\.io)\/(?:library\/(?=[^/]+$))?/, '');
}
