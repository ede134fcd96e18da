// How `events` prints: Docker's events.Message for --format templates and `{{json .}}`, and the
// docker CLI's own line when no format is given.

import { BerthError } from '../errors.js';
import type { DockerEvent } from '../runtime/events/docker-events.js';
import { parseTemplate } from './template.js';
import { goMap } from './values.js';

const NANOS = 1_000_000_000n;

/** Docker's events.Message: the fields templates see, and its JSON (with Go's omitempty tags). */
export class EventMessage {
  /** deprecated fields Docker still fills for container and image events */
  readonly Status: string;
  readonly ID: string;
  readonly From: string;
  readonly Type: string;
  readonly Action: string;
  readonly Actor: { readonly ID: string; readonly Attributes: Map<string, string> };
  readonly Scope: string;
  readonly Time: bigint;
  readonly TimeNano: bigint;

  constructor(event?: DockerEvent) {
    const legacy = event !== undefined;
    this.Status = legacy ? event.action : '';
    this.ID = legacy ? event.actorId : '';
    this.From = event?.type === 'container' ? (event.attributes.image ?? '') : '';
    this.Type = event?.type ?? '';
    this.Action = event?.action ?? '';
    this.Actor = { ID: event?.actorId ?? '', Attributes: goMap({ ...(event?.attributes ?? {}) }, '') };
    this.Scope = event ? 'local' : '';
    this.TimeNano = event?.timeNano ?? 0n;
    this.Time = this.TimeNano / NANOS;
  }

  toJSON(): object {
    const omitEmpty = <T>(value: T) => (value === '' || value === 0n ? undefined : value);
    return {
      status: omitEmpty(this.Status),
      id: omitEmpty(this.ID),
      from: omitEmpty(this.From),
      Type: this.Type,
      Action: this.Action,
      Actor: this.Actor,
      scope: omitEmpty(this.Scope),
      time: omitEmpty(this.Time),
      timeNano: omitEmpty(this.TimeNano),
    };
  }
}

/** The docker CLI's line: `<local time> <type> <action> <actor id> (k=v, …)`, attributes sorted. */
export function eventLine(event: DockerEvent): string {
  const keys = Object.keys(event.attributes).sort();
  const attributes = keys.length > 0 ? ` (${keys.map((key) => `${key}=${event.attributes[key]}`).join(', ')})` : '';
  return `${rfc3339NanoFixedLocal(event.timeNano)} ${event.type} ${event.action} ${event.actorId}${attributes}`;
}

/** Go's `2006-01-02T15:04:05.000000000Z07:00` in local time. */
export function rfc3339NanoFixedLocal(nanos: bigint): string {
  const date = new Date(Number(nanos / 1_000_000n));
  const two = (value: number) => String(value).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const zone = offset === 0 ? 'Z' : `${offset < 0 ? '-' : '+'}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
  const fraction = (((nanos % NANOS) + NANOS) % NANOS).toString().padStart(9, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${fraction}${zone}`;
}

/**
 * A printer for each event: Docker's line, or the --format template (`json` is `{{json .}}`).
 * The template is tried on an empty message first, as docker does, so a bad one fails before
 * any event (exit 64, "Error parsing format: …").
 */
export function eventPrinter(format: string | undefined): (event: DockerEvent) => string {
  if (format === undefined || format === '') return (event) => `${eventLine(event)}\n`;
  const source = format === 'json' ? '{{json .}}' : format;
  let template: ReturnType<typeof parseTemplate>;
  try {
    template = parseTemplate(source);
    template.execute(new EventMessage());
  } catch (error) {
    throw new BerthError('invalid-argument', `Error parsing format: ${error instanceof Error ? error.message : String(error)}`, { exitCode: 64 });
  }
  return (event) => `${template.execute(new EventMessage(event))}\n`;
}
