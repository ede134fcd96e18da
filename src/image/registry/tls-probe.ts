// Which protocol a registry that may be reached either way speaks: a local registry (or an
// `--insecure-registry`) is tried over HTTPS first, as Docker does, and most of them answer
// plain HTTP. Asking with a bare handshake spares the HTTPS attempt its TLS context: the trusted
// certificates (~300) are parsed for it, ~50 ms here, for a connection that is refused anyway.

import { isIP } from 'node:net';
import tls from 'node:tls';

/** What a server that is not speaking TLS makes OpenSSL say about its first bytes. */
const NOT_TLS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST']);
const PROBE_TIMEOUT_MS = 2_000;

/**
 * Whether the server at `url` completes a TLS handshake: true, false when it answers with
 * something that is not TLS, undefined when that cannot be told (no connection, a handshake
 * error, no answer). Nothing is verified: this picks the protocol to try, not whom to trust.
 */
export function speaksTls(url: URL, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean | undefined> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port: Number(url.port || 443), rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }) });
    const answer = (speaks: boolean | undefined): void => {
      socket.destroy();
      resolve(speaks);
    };
    socket.setTimeout(timeoutMs, () => answer(undefined));
    socket.once('secureConnect', () => answer(true));
    socket.once('error', (error: NodeJS.ErrnoException) => answer(error.code !== undefined && NOT_TLS.has(error.code) ? false : undefined));
  });
}
