// containerd's gRPC API over its unix socket: one channel for every service, method
// definitions from berth's own .proto subset (compiled by the build to protobufjs' static codecs).

import * as grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs/minimal.js';
import messages from './generated/messages.cjs';
import methods from './generated/methods.json' with { type: 'json' };
import type { ReplyDecoder } from './container-summaries.js';
import { fromGrpcError } from './errors.js';
import { WireSession, type WireCall } from './wire-stream.js';

const MESSAGE_LIMIT = 16 << 20; // containerd's own send/receive limit
const DEFAULT_DEADLINE_MS = 60_000;

const SERVICES = {
  version: 'containerd.services.version.v1.Version',
  namespaces: 'containerd.services.namespaces.v1.Namespaces',
  introspection: 'containerd.services.introspection.v1.Introspection',
  containers: 'containerd.services.containers.v1.Containers',
  images: 'containerd.services.images.v1.Images',
  tasks: 'containerd.services.tasks.v1.Tasks',
  content: 'containerd.services.content.v1.Content',
  leases: 'containerd.services.leases.v1.Leases',
  snapshots: 'containerd.services.snapshots.v1.Snapshots',
  diff: 'containerd.services.diff.v1.Diff',
  events: 'containerd.services.events.v1.Events',
  /** Kubernetes' CRI, served by containerd's CRI plugin on the same socket (needs no namespace) */
  cri: 'runtime.v1.RuntimeService',
} as const;

export type ServiceName = keyof typeof SERVICES;

export interface CallOptions {
  /** containerd namespace for this call; `null` sends none (Version, Namespaces, Introspection) */
  readonly namespace?: string | null;
  readonly lease?: string;
  /** unary deadline; long-lived calls (Wait, Subscribe) pass `Infinity` */
  readonly timeoutMs?: number;
  /** Decodes the reply instead of the method's generated decoder (container-summaries.ts). */
  readonly replyDecoder?: ReplyDecoder;
  /** streams: cancels the call; the stream then ends without an error */
  readonly signal?: AbortSignal;
}

type MethodDefinition = {
  path: string;
  requestSerialize: (value: unknown) => Buffer;
  responseDeserialize: (bytes: Buffer) => unknown;
};

/** int64 as decimal strings, enums by name, defaults filled in: the shapes in types.ts */
const DECODE_OPTIONS: protobuf.IConversionOptions = { longs: String, enums: String, defaults: true, oneofs: true, arrays: true, objects: true };

/** A message type's codecs as pbjs' static module has them */
interface MessageCodec {
  fromObject(value: object): object;
  encode(message: object): protobuf.Writer;
  decode(bytes: Uint8Array): object;
  toObject(message: object, options: protobuf.IConversionOptions): object;
}

/** `containerd.runc.v1.Options` → its codecs; undefined for a type berth's protos do not define */
function messageCodec(fullName: string): MessageCodec | undefined {
  let node: unknown = messages;
  for (const part of fullName.split('.')) {
    node = typeof node === 'function' || (typeof node === 'object' && node !== null) ? (node as Record<string, unknown>)[part] : undefined;
  }
  return typeof node === 'function' && typeof (node as Partial<MessageCodec>).decode === 'function' ? (node as unknown as MessageCodec) : undefined;
}

const methodTypes: Readonly<Record<string, Readonly<Record<string, readonly [string, string]>>>> = methods as never;
const definitions = new Map<string, MethodDefinition>();

function methodDefinition(service: ServiceName, method: string, replyDecoder?: ReplyDecoder): MethodDefinition {
  const path = `/${SERVICES[service]}/${method}`;
  const key = replyDecoder ? `${path} ${replyDecoder.name}` : path;
  const known = definitions.get(key);
  if (known) return known;
  const [requestName, responseName] = methodTypes[SERVICES[service]]?.[method] ?? [];
  const requestType = requestName === undefined ? undefined : messageCodec(requestName);
  const responseType = responseName === undefined ? undefined : messageCodec(responseName);
  if (!requestType || !responseType) throw new Error(`berth's protos lack ${SERVICES[service]}/${method}`);
  const definition: MethodDefinition = {
    path,
    requestSerialize: (value) => Buffer.from(requestType.encode(requestType.fromObject(value as object)).finish()),
    responseDeserialize: replyDecoder ? (bytes) => replyDecoder.decode(bytes) : (bytes) => responseType.toObject(responseType.decode(bytes), DECODE_OPTIONS),
  };
  definitions.set(key, definition);
  return definition;
}

/** Protobuf bytes of a message berth's protos define, for an Any (`containerd.runc.v1.Options`). */
export function encodeMessage(typeName: string, value: object): Buffer {
  const type = messageCodec(typeName);
  if (!type) throw new Error(`berth's protos lack ${typeName}`);
  return Buffer.from(type.encode(type.fromObject(value)).finish());
}

/**
 * A message of berth's protos from the bytes of an Any (an event's payload), decoded like replies;
 * undefined for a type berth's protos do not define.
 */
export function decodeMessage<Message>(typeName: string, bytes: Uint8Array): Message | undefined {
  const type = messageCodec(typeName);
  return type ? (type.toObject(type.decode(bytes), DECODE_OPTIONS) as Message) : undefined;
}

export class ContainerdClient {
  readonly address: string;
  readonly namespace: string;
  private readonly channel: grpc.Client;
  private wire?: WireSession;

  constructor(address: string, namespace: string) {
    this.address = address;
    this.namespace = namespace;
    this.channel = new grpc.Client(`unix://${address}`, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': MESSAGE_LIMIT,
      'grpc.max_send_message_length': MESSAGE_LIMIT,
      // containerd is local: fail at once instead of reconnecting with backoff.
      'grpc.enable_retries': 0,
      // Node's default 64 KiB window makes a large reply (300 containers are a few MB) wait for
      // a WINDOW_UPDATE round trip every 64 KiB.
      'grpc-node.flow_control_window': MESSAGE_LIMIT,
    });
  }

  unary<Response>(service: ServiceName, method: string, request: object, options: CallOptions = {}): Promise<Response> {
    const definition = methodDefinition(service, method, options.replyDecoder);
    const timeout = options.timeoutMs ?? DEFAULT_DEADLINE_MS;
    const callOptions: grpc.CallOptions = Number.isFinite(timeout) ? { deadline: Date.now() + timeout } : {};
    return new Promise((resolvePromise, reject) => {
      this.channel.makeUnaryRequest(
        definition.path,
        definition.requestSerialize,
        definition.responseDeserialize,
        request,
        this.metadata(options),
        callOptions,
        (error, response) => {
          if (error) reject(fromGrpcError(error, this.address));
          else resolvePromise(response as Response);
        },
      );
    });
  }

  /** A server stream, collected: for List-style calls whose replies come in several messages. */
  async collect<Message>(service: ServiceName, method: string, request: object, options: CallOptions = {}): Promise<Message[]> {
    const messages: Message[] = [];
    for await (const message of this.stream<Message>(service, method, request, options)) messages.push(message);
    return messages;
  }

  async *stream<Message>(service: ServiceName, method: string, request: object, options: CallOptions = {}): AsyncGenerator<Message> {
    const definition = methodDefinition(service, method, options.replyDecoder);
    const call = this.channel.makeServerStreamRequest(
      definition.path,
      definition.requestSerialize,
      definition.responseDeserialize,
      request,
      this.metadata(options),
      {},
    );
    const cancel = () => call.cancel();
    options.signal?.addEventListener('abort', cancel, { once: true });
    if (options.signal?.aborted) cancel();
    try {
      for await (const message of call) yield message as Message;
    } catch (error) {
      if (options.signal?.aborted) return;
      throw fromGrpcError(error as grpc.ServiceError, this.address);
    } finally {
      options.signal?.removeEventListener('abort', cancel);
      call.cancel();
    }
  }

  /**
   * A bidirectional stream (Content.Write) on a connection of its own, without grpc-js:
   * see wire-stream.ts. Errors still need fromGrpcError at the caller.
   */
  bidi(service: ServiceName, method: string, options: CallOptions = {}): { call: WireCall; serialize: (message: object) => Buffer } {
    const definition = methodDefinition(service, method);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.metadata(options).getMap())) headers[key] = String(value);
    this.wire ??= new WireSession(this.address);
    return { call: this.wire.open(definition.path, headers, definition.responseDeserialize), serialize: definition.requestSerialize };
  }

  close(): void {
    this.channel.close();
    this.wire?.close();
  }

  private metadata(options: CallOptions): grpc.Metadata {
    const metadata = new grpc.Metadata();
    const namespace = options.namespace === undefined ? this.namespace : options.namespace;
    if (namespace !== null) metadata.set('containerd-namespace', namespace);
    if (options.lease) metadata.set('containerd-lease', options.lease);
    return metadata;
  }
}
