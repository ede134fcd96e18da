// Containers.List and ListStream replies as `ps` reads them: decoded field by field with
// protobufjs' Reader straight into the shapes of types.ts, with the extensions skipped unread.
// Why not the generated decoder: for 300 containers it spent 35-50 ms decoding and 10-30 ms more
// in toObject (int64 through Long to strings, a second copy of every object), the bulk of a
// listing's cost per container; this does the same work in a few ms. Field numbers are
// containerd's (containers.proto, the wire contract).

import protobuf from 'protobufjs/minimal.js';
import type { Any, Container, Timestamp } from './types.js';

type Reader = protobuf.Reader;

const WIRE_LENGTH_DELIMITED = 2;
const NO_BYTES: Buffer = Buffer.alloc(0);

/** The reply's own decoder, as the client takes it (CallOptions.replyDecoder). */
export interface ReplyDecoder {
  /** names the decoder in the client's cache of method definitions */
  readonly name: string;
  decode(bytes: Buffer): unknown;
}

/** ListContainersResponse { repeated Container containers = 1 } without the containers' extensions. */
export const containerSummariesReply: ReplyDecoder = {
  name: 'berth.ContainerSummaries',
  decode: (bytes) => ({ containers: repeatedField(bytes, 1) }),
};

/** ListContainerMessage { Container container = 1 } without the container's extensions. */
export const containerSummaryMessage: ReplyDecoder = {
  name: 'berth.ContainerSummaryMessage',
  decode: (bytes) => ({ container: repeatedField(bytes, 1)[0] ?? null }),
};

/** Every Container (extensions left out) in field `fieldNumber` of a message. */
function repeatedField(bytes: Buffer, fieldNumber: number): Container[] {
  const reader = protobuf.Reader.create(bytes);
  const containers: Container[] = [];
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === fieldNumber && (tag & 7) === WIRE_LENGTH_DELIMITED) containers.push(readContainer(reader));
    else reader.skipType(tag & 7);
  }
  return containers;
}

function readContainer(reader: Reader): Container {
  const end = reader.uint32() + reader.pos;
  let id = '';
  const labels: Record<string, string> = {};
  let image = '';
  let runtime: Container['runtime'] = null;
  let spec: Any | null = null;
  let snapshotter = '';
  let snapshotKey = '';
  let createdAt: Timestamp | null = null;
  let updatedAt: Timestamp | null = null;
  while (reader.pos < end) {
    const tag = reader.uint32();
    switch (tag >>> 3) {
      case 1:
        id = reader.string();
        break;
      case 2: {
        const [key, value] = readStringPair(reader);
        labels[key] = value;
        break;
      }
      case 3:
        image = reader.string();
        break;
      case 4:
        runtime = readRuntime(reader);
        break;
      case 5:
        spec = readAny(reader);
        break;
      case 6:
        snapshotter = reader.string();
        break;
      case 7:
        snapshotKey = reader.string();
        break;
      case 8:
        createdAt = readTimestamp(reader);
        break;
      case 9:
        updatedAt = readTimestamp(reader);
        break;
      default:
        // 10: extensions, and whatever a newer containerd adds
        reader.skipType(tag & 7);
    }
  }
  return { id, labels, image, runtime, spec, snapshotter, snapshot_key: snapshotKey, created_at: createdAt, updated_at: updatedAt, extensions: {} };
}

/** A map<string, string> entry: { key = 1; value = 2 }. */
function readStringPair(reader: Reader): [string, string] {
  const end = reader.uint32() + reader.pos;
  let key = '';
  let value = '';
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1) key = reader.string();
    else if (tag >>> 3 === 2) value = reader.string();
    else reader.skipType(tag & 7);
  }
  return [key, value];
}

function readRuntime(reader: Reader): NonNullable<Container['runtime']> {
  const end = reader.uint32() + reader.pos;
  let name = '';
  let options: Any | null = null;
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1) name = reader.string();
    else if (tag >>> 3 === 2) options = readAny(reader);
    else reader.skipType(tag & 7);
  }
  return { name, options };
}

/** google.protobuf.Any; the value is a view into the reply's buffer, not a copy. */
function readAny(reader: Reader): Any {
  const end = reader.uint32() + reader.pos;
  let typeUrl = '';
  let value = NO_BYTES;
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1) typeUrl = reader.string();
    else if (tag >>> 3 === 2) value = reader.bytes() as Buffer;
    else reader.skipType(tag & 7);
  }
  return { type_url: typeUrl, value };
}

/** google.protobuf.Timestamp, seconds as a decimal string as the generated decoder gives them. */
function readTimestamp(reader: Reader): Timestamp {
  const end = reader.uint32() + reader.pos;
  let seconds = 0;
  let nanos = 0;
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1) seconds = readInt64(reader);
    else if (tag >>> 3 === 2) nanos = reader.int32();
    else reader.skipType(tag & 7);
  }
  return { seconds: String(seconds), nanos };
}

/**
 * An int64 varint as a number. protobufjs' int64() goes through LongBits, ten times slower here;
 * this reads up to 7 bytes (2^49 seconds: every timestamp) itself and leaves the rest (a negative
 * number is ten bytes of two's complement) to protobufjs.
 */
function readInt64(reader: Reader): number {
  const start = reader.pos;
  let value = 0;
  let scale = 1;
  for (let count = 0; count < 7 && reader.pos < reader.len; count += 1) {
    const byte = reader.buf[reader.pos++];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 128;
  }
  reader.pos = start;
  return protobuf.util.LongBits.from(reader.int64()).toNumber();
}
