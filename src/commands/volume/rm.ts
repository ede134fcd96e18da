import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { forEachTarget } from '../../cli/targets.js';

export default class VolumeRemove extends BerthCommand {
  static summary = 'Remove one or more volumes. You cannot remove a volume that is in use by a container.';
  static aliases = ['volume:remove'];
  static strict = false;
  static args = { volume: Args.string({ required: true, description: 'volume name' }) };
  static flags = {
    force: Flags.boolean({ char: 'f', description: 'force the removal of one or more volumes (a missing one is no error)' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(VolumeRemove);
    const runtime = await this.runtime();
    const { removeVolume } = await import('../../runtime/volumes/manage.js');
    const { volumeUsers } = await import('../../runtime/volumes/container-volumes.js');
    const users = await volumeUsers(runtime);
    await forEachTarget(argv as string[], async (name) => {
      await removeVolume(runtime, name, { force: flags.force, users });
      this.print(name);
    });
  }
}
