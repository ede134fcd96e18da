import { BerthCommand } from '../cli/base-command.js';
import { berthVersion } from '../cli/build-info.js';
import { objectFormatFlag } from '../cli/flags.js';
import type { SystemInfo } from '../runtime/system.js';
import { bytesSize } from '../format/units.js';

function describe(info: SystemInfo): string {
  return [
    'Client:',
    ` Version:    ${berthVersion}`,
    ` Namespace:  ${info.Namespace}`,
    ` Debug Mode: ${info.Debug}`,
    '',
    'Server:',
    ` Containers: ${info.Containers}`,
    `  Running: ${info.ContainersRunning}`,
    `  Paused: ${info.ContainersPaused}`,
    `  Stopped: ${info.ContainersStopped}`,
    ` Images: ${info.Images}`,
    ` Volumes: ${info.Volumes}`,
    ` Server Version: ${info.ServerVersion}`,
    ` Namespace: ${info.Namespace}`,
    ` Storage Driver: ${info.Driver}`,
    ` Snapshotters: ${info.Snapshotters.join(' ')}`,
    ` Default Runtime: ${info.DefaultRuntime}`,
    ` Cgroup Driver: ${info.CgroupDriver}`,
    ` Cgroup Version: ${info.CgroupVersion}`,
    ` Kernel Version: ${info.KernelVersion}`,
    ` Operating System: ${info.OperatingSystem}`,
    ` OSType: ${info.OSType}`,
    ` Architecture: ${info.Architecture}`,
    ` CPUs: ${info.NCPU}`,
    ` Total Memory: ${bytesSize(info.MemTotal)}`,
    ` Name: ${info.Name}`,
    ` ID: ${info.ID}`,
    ` containerd Address: ${info.ContainerdAddress}`,
    ` berth Root Dir: ${info.BerthRootDir}`,
    ` CNI Path: ${info.CniPath}`,
    ` CNI Netconf Path: ${info.CniNetconfPath}`,
    ` Debug Mode: ${info.Debug}`,
    ...(info.InsecureRegistries.length > 0 ? [' Insecure Registries:', ...info.InsecureRegistries.map((registry) => `  ${registry}`)] : []),
  ].join('\n');
}

export default class Info extends BerthCommand {
  static summary = 'Display system-wide information';
  static aliases = ['system:info'];
  static flags = { format: objectFormatFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(Info);
    const { systemInfo } = await import('../runtime/system.js');
    const info = await systemInfo(await this.runtime());
    if (flags.format) {
      const { formatOne } = await import('../format/output.js');
      this.print(formatOne(info, flags.format));
    } else {
      this.print(describe(info));
    }
  }
}
