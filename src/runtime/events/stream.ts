// `berth events`: containerd's event stream for the current namespace, translated to Docker's,
// filtered, and bounded by --since/--until. containerd keeps no history: nothing before now.

import { BerthError } from '../../errors.js';
import type { RuntimeContext } from '../context.js';
import { decodeMessage } from '../containerd/client.js';
import type { Any, Timestamp } from '../containerd/types.js';
import { isBerthLabel, LABELS } from '../containers/labels.js';
import { containerName, getContainer } from '../containers/lifecycle.js';
import { EventTranslator, type ContainerdEvent, type ContainerFacts, type DockerEvent, type ImageFacts } from './docker-events.js';
import { eventMatches, type EventFilters } from './filters.js';

interface Envelope {
  readonly timestamp: Timestamp | null;
  readonly namespace: string;
  readonly topic: string;
  readonly event: Any | null;
}

export interface EventStreamOptions {
  readonly filters: EventFilters;
  /** nanoseconds since the epoch */
  readonly since?: bigint;
  readonly until?: bigint;
  /** what the command knows about images (src/image reads them) */
  readonly images: {
    image(name: string): Promise<ImageFacts | undefined>;
    images(): Promise<Map<string, ImageFacts>>;
  };
}

/** The container's name, image and labels as Docker's attributes want them. */
export async function containerFacts(context: RuntimeContext, id: string): Promise<ContainerFacts | undefined> {
  const container = await getContainer(context, id);
  if (!container) return undefined;
  const labels = Object.fromEntries(Object.entries(container.labels).filter(([key]) => !isBerthLabel(key)));
  const started = Date.parse(container.labels[LABELS.startedAt] ?? '');
  return {
    name: containerName(container),
    image: container.labels[LABELS.imageAsTyped] ?? container.image,
    labels,
    startedAt: Number.isNaN(started) ? undefined : BigInt(started) * 1_000_000n,
  };
}

export function nowNanos(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/**
 * Calls `emit` for every event from now on that passes the filters, until `until` (forever
 * without one). The stream's subscription is in place before this resolves its first wait, so
 * a caller may start work right after the stream has been opened.
 */
export async function streamEvents(context: RuntimeContext, options: EventStreamOptions, emit: (event: DockerEvent) => void): Promise<void> {
  const { containerd } = context;
  if (options.until !== undefined && options.since !== undefined && options.until < options.since) {
    throw new BerthError('invalid-argument', '`since` time cannot be after `until` time');
  }
  const translator = new EventTranslator({ container: (id) => containerFacts(context, id), ...options.images });
  const aborter = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  if (options.until !== undefined) {
    const wait = Number((options.until - nowNanos()) / 1_000_000n);
    if (wait <= 0) return; // only past events were asked for, and containerd keeps none
    timer = setTimeout(() => aborter.abort(), wait);
  }
  const namespace = containerd.namespace.replace(/["\\]/g, '\\$&');
  const filters = [`namespace=="${namespace}",topic~="^/(containers|tasks|images)/"`];
  try {
    const stream = containerd.stream<Envelope>('events', 'Subscribe', { filters }, { namespace: null, timeoutMs: Infinity, signal: aborter.signal });
    // images named before the first event: their untag or delete is still told by name
    await translator.prime();
    for await (const envelope of stream) {
      const event = decodeEnvelope(envelope);
      if (options.until !== undefined && event.timeNano > options.until) break;
      for (const docker of await translator.translate(event)) {
        if (options.since !== undefined && docker.timeNano < options.since) continue;
        if (eventMatches(options.filters, docker)) emit(docker);
      }
    }
  } finally {
    clearTimeout(timer);
    aborter.abort();
  }
}

function decodeEnvelope(envelope: Envelope): ContainerdEvent {
  const timestamp = envelope.timestamp;
  const timeNano = timestamp ? BigInt(timestamp.seconds) * 1_000_000_000n + BigInt(timestamp.nanos) : nowNanos();
  const typeName = envelope.event?.type_url.replace(/^type\.googleapis\.com\//, '');
  const payload = typeName && envelope.event ? decodeMessage<Record<string, unknown>>(typeName, envelope.event.value) : undefined;
  return { topic: envelope.topic, timeNano, payload };
}
