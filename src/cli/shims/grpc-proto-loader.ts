// Stands in for `@grpc/proto-loader`, which grpc-js loads only to serve its own channelz and ORCA
// services: berth is a gRPC client with code generated ahead of time (src/runtime/containerd/
// generated), so the loader's 120 KB were only read and copied at every start.

export function loadSync(): never {
  throw new Error('@grpc/proto-loader is not part of berth: grpc-js server services (channelz, ORCA) are not available');
}
