// Node's names for the host platform, in the words OCI and Go use.

const GO_ARCH: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

export function hostArchitecture(): string {
  return GO_ARCH[process.arch] ?? process.arch;
}
