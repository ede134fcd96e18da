// containerd's events as Docker's: which containerd topic is which Docker action, and the
// actor's attributes Docker puts on it (the container's name, image and labels; an image's name).
// containerd's payloads carry IDs only, so what an actor is called is looked up once, when it
// appears, and kept: a destroyed container's labels are gone by the time its delete arrives.

export interface ContainerdEvent {
  readonly topic: string;
  /** the envelope's time, nanoseconds since the epoch */
  readonly timeNano: bigint;
  /** the decoded payload; undefined for a type berth's protos do not define */
  readonly payload?: Readonly<Record<string, unknown>>;
}

export interface DockerEvent {
  readonly type: 'container' | 'image';
  readonly action: string;
  readonly actorId: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly timeNano: bigint;
}

export interface ContainerFacts {
  /** Docker name, no leading slash */
  readonly name: string;
  /** `Config.Image` as the user typed it */
  readonly image: string;
  /** the user's (and the image's) labels */
  readonly labels: Readonly<Record<string, string>>;
  /** when the task last started, nanoseconds since the epoch: die's execDuration */
  readonly startedAt?: bigint;
}

export interface ImageFacts {
  /** berth's image ID (the config digest) */
  readonly id: string;
  /** familiar reference, `busybox:latest`; undefined for an untagged record */
  readonly reference?: string;
  /** familiar repository, `busybox` */
  readonly repository?: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface EventLookups {
  container(id: string): Promise<ContainerFacts | undefined>;
  image(name: string): Promise<ImageFacts | undefined>;
  /** every image record of the namespace by name, read when the stream starts */
  images(): Promise<Map<string, ImageFacts>>;
}

const NANOS_PER_SECOND = 1_000_000_000n;

const TASK_ACTIONS: Readonly<Record<string, string>> = {
  '/tasks/paused': 'pause',
  '/tasks/resumed': 'unpause',
  '/tasks/oom': 'oom',
};

/** containerd → Docker, one event at a time and in order: the caches follow the stream. */
export class EventTranslator {
  private readonly containers = new Map<string, ContainerFacts>();
  private imagesByName?: Map<string, ImageFacts>;

  constructor(private readonly lookups: EventLookups) {}

  /** Reads what exists now, so that an untag or destroy of something older is still named. */
  async prime(): Promise<void> {
    this.imagesByName = await this.lookups.images();
  }

  async translate(event: ContainerdEvent): Promise<DockerEvent[]> {
    const payload = event.payload ?? {};
    const text = (key: string) => (typeof payload[key] === 'string' ? (payload[key] as string) : '');
    const { topic, timeNano } = event;
    if (topic.startsWith('/images/')) return this.imageEvent(topic, text('name'), timeNano);

    const id = topic.startsWith('/containers/') ? text('id') : text('container_id');
    if (id === '') return [];
    const container = (action: string, facts: ContainerFacts | undefined, extra: Record<string, string> = {}): DockerEvent[] => [
      { type: 'container', action, actorId: id, attributes: containerAttributes(facts, extra), timeNano },
    ];
    switch (topic) {
      case '/containers/create':
        return container('create', await this.containerFacts(id, text('image')));
      case '/containers/update':
        return this.containerUpdate(id, timeNano);
      case '/containers/delete': {
        const facts = await this.containerFacts(id);
        this.containers.delete(id);
        return container('destroy', facts);
      }
      case '/tasks/start': {
        const facts = await this.containerFacts(id);
        if (facts) this.containers.set(id, { ...facts, startedAt: timeNano });
        return container('start', facts);
      }
      case '/tasks/exit': {
        const facts = await this.containerFacts(id);
        const exitCode = String(Number(payload.exit_status ?? 0));
        const processId = text('id');
        if (processId !== '' && processId !== id) return container('exec_die', facts, { execID: processId, exitCode });
        const exitedAt = timestampNanos(payload.exited_at) ?? timeNano;
        const duration = facts?.startedAt !== undefined && exitedAt >= facts.startedAt ? (exitedAt - facts.startedAt) / NANOS_PER_SECOND : 0n;
        return container('die', facts, { execDuration: String(duration), exitCode });
      }
      default: {
        const action = TASK_ACTIONS[topic];
        return action ? container(action, await this.containerFacts(id)) : [];
      }
    }
  }

  private async containerFacts(id: string, image = ''): Promise<ContainerFacts | undefined> {
    const known = this.containers.get(id);
    if (known) return known;
    const found = await this.lookups.container(id);
    if (found) {
      this.containers.set(id, found);
      return found;
    }
    // removed before we could look (a quick `run --rm`): what the event itself says
    return image === '' ? undefined : { name: '', image, labels: {} };
  }

  /** berth's own label updates (start and exit times) are no Docker event; a new name is a rename. */
  private async containerUpdate(id: string, timeNano: bigint): Promise<DockerEvent[]> {
    const before = this.containers.get(id);
    const after = await this.lookups.container(id);
    if (!after) return [];
    this.containers.set(id, { ...after, startedAt: before?.startedAt ?? after.startedAt });
    if (!before || before.name === after.name || before.name === '') return [];
    return [{ type: 'container', action: 'rename', actorId: id, attributes: containerAttributes(after, { oldName: `/${before.name}` }), timeNano }];
  }

  /**
   * containerd knows only that an image record was created, changed or deleted. A name given to an
   * image that already has another is Docker's `tag`; any other new or changed name is a `pull`
   * (load and import look the same from here). A deleted name is an `untag`, and the last name of
   * an image going is also its `delete`.
   */
  private async imageEvent(topic: string, name: string, timeNano: bigint): Promise<DockerEvent[]> {
    if (name === '') return [];
    this.imagesByName ??= new Map();
    const known = this.imagesByName;
    const image = (action: string, actorId: string, attributes: Record<string, string>): DockerEvent => ({ type: 'image', action, actorId, attributes, timeNano });
    if (topic === '/images/create' || topic === '/images/update') {
      const facts = await this.lookups.image(name);
      if (!facts) return [];
      known.set(name, facts);
      if (facts.reference === undefined) return [];
      const tagged = [...known].some(([other, otherFacts]) => other !== name && otherFacts.id === facts.id);
      return tagged
        ? [image('tag', facts.id, { ...facts.labels, name: facts.reference })]
        : [image('pull', facts.reference, { ...facts.labels, name: facts.repository ?? facts.reference })];
    }
    if (topic !== '/images/delete') return [];
    const facts = known.get(name);
    if (!facts) return [];
    known.delete(name);
    const events: DockerEvent[] = [];
    if (facts.reference !== undefined) events.push(image('untag', facts.id, { name: facts.reference }));
    if (![...known.values()].some((other) => other.id === facts.id)) events.push(image('delete', facts.id, { name: facts.id }));
    return events;
  }
}

/** Docker's container attributes: the labels, then `image` and `name` over them. */
function containerAttributes(facts: ContainerFacts | undefined, extra: Record<string, string>): Record<string, string> {
  const attributes: Record<string, string> = { ...(facts?.labels ?? {}), ...extra };
  if (facts?.image) attributes.image = facts.image;
  if (facts?.name) attributes.name = facts.name;
  return attributes;
}

function timestampNanos(value: unknown): bigint | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { seconds, nanos } = value as { seconds?: unknown; nanos?: unknown };
  if (seconds === undefined) return undefined;
  const total = BigInt(String(seconds)) * NANOS_PER_SECOND + BigInt(Number(nanos ?? 0));
  return total > 0n ? total : undefined;
}
