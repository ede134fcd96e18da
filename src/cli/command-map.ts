// Every berth command, by oclif id (oclif's explicit command strategy: one module, no
// directory scan at startup). Command modules import nothing heavy at top level.

import ImageImport from '../commands/image/import.js';
import ImageLoad from '../commands/image/load.js';
import ImagePull from '../commands/image/pull.js';
import ImageSave from '../commands/image/save.js';
import Info from '../commands/info.js';
import NamespaceCreate from '../commands/namespace/create.js';
import NamespaceInspect from '../commands/namespace/inspect.js';
import NamespaceList from '../commands/namespace/ls.js';
import NamespaceRemove from '../commands/namespace/remove.js';
import NamespaceUpdate from '../commands/namespace/update.js';
import Version from '../commands/version.js';

export const COMMANDS = {
  'image:import': ImageImport,
  'image:load': ImageLoad,
  'image:pull': ImagePull,
  'image:save': ImageSave,
  info: Info,
  'namespace:create': NamespaceCreate,
  'namespace:inspect': NamespaceInspect,
  'namespace:ls': NamespaceList,
  'namespace:remove': NamespaceRemove,
  'namespace:update': NamespaceUpdate,
  version: Version,
};
