import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';

const repeatable = { multiple: true, multipleNonGreedy: true } as const;

export default class VolumeCreate extends BerthCommand {
  static summary = 'Create a volume';
  static args = { name: Args.string({ description: 'volume name (a random one when absent)' }) };
  static flags = {
    driver: Flags.string({ char: 'd', description: 'specify volume driver name (local only)', default: 'local', helpValue: 'string' }),
    label: Flags.string({ description: 'set metadata for a volume', helpValue: 'list', ...repeatable }),
    opt: Flags.string({ char: 'o', description: 'set driver specific options (type, device, o)', helpValue: 'map', ...repeatable }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(VolumeCreate);
    const { keyValueMap, validateLabel } = await import('../../runtime/create-options.js');
    const { createVolume } = await import('../../runtime/volumes/store.js');
    const labels = keyValueMap((flags.label ?? []).map(validateLabel));
    const options = keyValueMap(flags.opt ?? []);
    const { volume } = await createVolume(await this.runtime(), { name: args.name, driver: flags.driver, labels, options });
    this.print(volume.Name);
  }
}
