// The gRPC stream berth speaks over node:http2 for Content.Write, against a small HTTP/2
// server on a unix socket that plays containerd: framing of messages sent in parts, replies,
// statuses in trailers or in the headers of a reply without messages, a missing socket.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WireSession, type WireCall, type WireStatusError } from '../../src/runtime/containerd/wire-stream.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-wire-'));
const socket = join(dir, 'grpc.sock');
let server: http2.Http2Server;
let session: WireSession;

/** Each request's gRPC messages, split at their 5-byte prefixes, and its headers. */
const seen: { path: string; headers: http2.IncomingHttpHeaders; messages: Buffer[] }[] = [];

function frame(message: Buffer): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

function split(body: Buffer): Buffer[] {
  const messages: Buffer[] = [];
  for (let at = 0; at < body.length; ) {
    const length = body.readUInt32BE(at + 1);
    messages.push(body.subarray(at + 5, at + 5 + length));
    at += 5 + length;
  }
  return messages;
}

before(async () => {
  server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const messages = split(Buffer.concat(chunks));
      const path = String(headers[':path']);
      seen.push({ path, headers, messages });
      if (path === '/echo') {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        // Replies split across writes at odd places: the reader must join them again.
        const body = Buffer.concat(messages.map((message) => frame(Buffer.from(`got ${message.length}`))));
        stream.write(body.subarray(0, 3));
        stream.end(body.subarray(3));
      } else if (path === '/fail') {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '9', 'grpc-message': 'unexpected commit digest sha256%3Aabc' }));
        stream.end();
      } else {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '6', 'grpc-message': 'content sha256:abc: already exists' }, { endStream: true });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  session = new WireSession(socket);
});

after(async () => {
  session.close();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a call to its end: the replies, and the error it ended with, if any. */
function outcome(call: WireCall): Promise<{ replies: string[]; error?: WireStatusError }> {
  return new Promise((resolve) => {
    const replies: string[] = [];
    call.on('data', (reply: string) => replies.push(reply));
    call.on('end', () => resolve({ replies }));
    call.on('error', (error: WireStatusError) => resolve({ replies, error }));
  });
}

test('a message sent in parts arrives as one gRPC message, and each reply is decoded', async () => {
  const call = session.open('/echo', { 'containerd-namespace': 'ns1' }, (bytes) => bytes.toString());
  const done = outcome(call);
  const sent: string[] = [];
  call.write({ parts: [Buffer.from('head'), Buffer.alloc(70_000, 1), Buffer.alloc(3, 2)], length: 70_007 }, () => sent.push('parts'));
  call.write(Buffer.from('commit'), () => sent.push('buffer'));
  call.end();
  const { replies, error } = await done;
  assert.equal(error, undefined);
  assert.deepEqual(replies, ['got 70007', 'got 6']);
  assert.deepEqual(sent, ['parts', 'buffer']);
  const request = seen.find((entry) => entry.path === '/echo')!;
  assert.equal(request.headers['containerd-namespace'], 'ns1');
  assert.equal(request.headers['content-type'], 'application/grpc');
  assert.deepEqual(request.messages[0].subarray(0, 4).toString(), 'head');
  assert.equal(request.messages[0].length, 70_007);
  assert.equal(request.messages[1].toString(), 'commit');
});

/** The error of a call that sends nothing. */
async function emptyCallError(on: WireSession, path: string): Promise<WireStatusError | undefined> {
  const call = on.open(path, {}, (bytes) => bytes);
  const done = outcome(call);
  call.end();
  return (await done).error;
}

test('a status in the trailers fails the call with its code and decoded message', async () => {
  const error = await emptyCallError(session, '/fail');
  assert.equal(error?.code, 9);
  assert.equal(error?.details, 'unexpected commit digest sha256:abc');
});

test('a reply without messages carries its status in its headers', async () => {
  const error = await emptyCallError(session, '/exists');
  assert.equal(error?.code, 6);
  assert.match(error?.details ?? '', /already exists/);
});

test('a socket that is not there fails the call as unavailable, naming the cause', async () => {
  const missing = new WireSession(join(dir, 'missing.sock'));
  const error = await emptyCallError(missing, '/echo');
  missing.close();
  assert.equal(error?.code, 14);
  assert.match(error?.details ?? '', /ENOENT/);
});
