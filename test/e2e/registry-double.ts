// A registry test double on 127.0.0.1 serving one image whose bytes the test controls:
// a layer served slowly (to cut a pull in the middle) or with bytes that don't match the digest.

import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** A tar archive holding one regular file: a valid layer. */
function tarWithFile(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let checksum = 0;
  for (const byte of header) checksum += byte;
  header.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148);
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}

export interface DoubleOptions {
  readonly layerSize: number;
  /** serve other bytes (of the same length) than the digest in the manifest */
  readonly corruptLayer?: boolean;
  /** the first layer request sends this many bytes, then stalls until the client goes away */
  readonly stallFirstRequestAfter?: number;
}

export interface RegistryDouble {
  readonly host: string;
  readonly layerDigest: string;
  readonly manifestDigest: string;
  /** every Range header the layer was asked for */
  readonly layerRanges: string[];
  close(): Promise<void>;
}

export async function startRegistryDouble(options: DoubleOptions): Promise<RegistryDouble> {
  const layer = tarWithFile('data.bin', randomBytes(options.layerSize));
  const layerDigest = sha256(layer);
  const served = options.corruptLayer ? Buffer.from(layer).fill(0, 600, 700) : layer;
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [layerDigest] } }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }],
    }),
  );
  const manifestDigest = sha256(manifest);
  const layerRanges: string[] = [];
  let layerRequests = 0;

  const sendLayer = (request: IncomingMessage, response: import('node:http').ServerResponse) => {
    layerRequests += 1;
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    if (request.headers.range) layerRanges.push(request.headers.range);
    const start = range ? Number(range[1]) : 0;
    const body = served.subarray(start);
    response.writeHead(range ? 206 : 200, {
      'content-type': 'application/octet-stream',
      'content-length': body.length,
      ...(range ? { 'content-range': `bytes ${start}-${served.length - 1}/${served.length}` } : {}),
    });
    if (layerRequests === 1 && options.stallFirstRequestAfter !== undefined) {
      response.write(body.subarray(0, options.stallFirstRequestAfter)); // and never finish
      return;
    }
    response.end(body);
  };

  const server: Server = createServer((request, response) => {
    const url = request.url ?? '';
    if (url === '/v2/') return void response.writeHead(200).end('{}');
    if (url.endsWith(`/manifests/latest`) || url.endsWith(`/manifests/${manifestDigest}`)) {
      response.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': manifestDigest, 'content-length': manifest.length });
      return void response.end(request.method === 'HEAD' ? undefined : manifest);
    }
    if (url.endsWith(`/blobs/${sha256(config)}`)) return void response.writeHead(200, { 'content-length': config.length }).end(config);
    if (url.endsWith(`/blobs/${layerDigest}`)) return sendLayer(request, response);
    response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    layerDigest,
    manifestDigest,
    layerRanges,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
