// Every berth command, by oclif id (oclif's explicit command strategy: one module, no
// directory scan at startup). Command modules import nothing heavy at top level.

import ContainerCommit from '../commands/container/commit.js';
import ContainerAttach from '../commands/container/attach.js';
import ContainerCopy from '../commands/container/cp.js';
import ContainerCreate from '../commands/container/create.js';
import ContainerDiff from '../commands/container/diff.js';
import ContainerExec from '../commands/container/exec.js';
import ContainerExport from '../commands/container/export.js';
import ContainerInspect from '../commands/container/inspect.js';
import ContainerKill from '../commands/container/kill.js';
import ContainerList from '../commands/container/ls.js';
import ContainerLogs from '../commands/container/logs.js';
import ContainerPort from '../commands/container/port.js';
import ContainerPause from '../commands/container/pause.js';
import ContainerPrune from '../commands/container/prune.js';
import ContainerRemove from '../commands/container/rm.js';
import ContainerRename from '../commands/container/rename.js';
import ContainerRestart from '../commands/container/restart.js';
import ContainerRun from '../commands/container/run.js';
import ContainerStart from '../commands/container/start.js';
import ContainerStats from '../commands/container/stats.js';
import ContainerStop from '../commands/container/stop.js';
import ContainerUnpause from '../commands/container/unpause.js';
import ContainerTop from '../commands/container/top.js';
import ContainerUpdate from '../commands/container/update.js';
import ContainerWait from '../commands/container/wait.js';
import InternalHealthcheck from '../commands/internal/healthcheck.js';
import InternalReap from '../commands/internal/reap.js';
import ImageHistory from '../commands/image/history.js';
import ImageInspect from '../commands/image/inspect.js';
import ImageList from '../commands/image/ls.js';
import ImagePrune from '../commands/image/prune.js';
import ImagePull from '../commands/image/pull.js';
import ImageRemove from '../commands/image/rm.js';
import ImagePush from '../commands/image/push.js';
import ImageTag from '../commands/image/tag.js';
import ImageImport from '../commands/image/import.js';
import ImageLoad from '../commands/image/load.js';
import ImageSave from '../commands/image/save.js';
import Info from '../commands/info.js';
import Inspect from '../commands/inspect.js';
import Login from '../commands/login.js';
import Logout from '../commands/logout.js';
import NamespaceCreate from '../commands/namespace/create.js';
import NamespaceInspect from '../commands/namespace/inspect.js';
import NamespaceList from '../commands/namespace/ls.js';
import NamespaceRemove from '../commands/namespace/remove.js';
import NamespaceUpdate from '../commands/namespace/update.js';
import SystemDf from '../commands/system/df.js';
import SystemEvents from '../commands/system/events.js';
import SystemPrune from '../commands/system/prune.js';
import NetworkConnect from '../commands/network/connect.js';
import NetworkCreate from '../commands/network/create.js';
import NetworkDisconnect from '../commands/network/disconnect.js';
import NetworkInspect from '../commands/network/inspect.js';
import NetworkList from '../commands/network/ls.js';
import NetworkPrune from '../commands/network/prune.js';
import NetworkRemove from '../commands/network/rm.js';
import PodList from '../commands/pod/ls.js';
import Version from '../commands/version.js';
import VolumeCreate from '../commands/volume/create.js';
import VolumeInspect from '../commands/volume/inspect.js';
import VolumeList from '../commands/volume/ls.js';
import VolumePrune from '../commands/volume/prune.js';
import VolumeRemove from '../commands/volume/rm.js';

export const COMMANDS = {
  'container:commit': ContainerCommit,
  'container:attach': ContainerAttach,
  'container:cp': ContainerCopy,
  'container:create': ContainerCreate,
  'container:diff': ContainerDiff,
  'container:exec': ContainerExec,
  'container:export': ContainerExport,
  'container:inspect': ContainerInspect,
  'container:kill': ContainerKill,
  'container:logs': ContainerLogs,
  'container:ls': ContainerList,
  'container:port': ContainerPort,
  'container:pause': ContainerPause,
  'container:prune': ContainerPrune,
  'container:rm': ContainerRemove,
  'container:rename': ContainerRename,
  'container:restart': ContainerRestart,
  'container:run': ContainerRun,
  'container:start': ContainerStart,
  'container:stats': ContainerStats,
  'container:stop': ContainerStop,
  'container:unpause': ContainerUnpause,
  'container:top': ContainerTop,
  'container:update': ContainerUpdate,
  'container:wait': ContainerWait,
  'internal:healthcheck': InternalHealthcheck,
  'internal:reap': InternalReap,
  'image:history': ImageHistory,
  'image:inspect': ImageInspect,
  'image:ls': ImageList,
  'image:prune': ImagePrune,
  'image:pull': ImagePull,
  'image:rm': ImageRemove,
  'image:push': ImagePush,
  'image:tag': ImageTag,
  'image:import': ImageImport,
  'image:load': ImageLoad,
  'image:save': ImageSave,
  info: Info,
  inspect: Inspect,
  login: Login,
  logout: Logout,
  'namespace:create': NamespaceCreate,
  'namespace:inspect': NamespaceInspect,
  'namespace:ls': NamespaceList,
  'namespace:remove': NamespaceRemove,
  'namespace:update': NamespaceUpdate,
  'system:df': SystemDf,
  'system:events': SystemEvents,
  'system:prune': SystemPrune,
  'network:connect': NetworkConnect,
  'network:create': NetworkCreate,
  'network:disconnect': NetworkDisconnect,
  'network:inspect': NetworkInspect,
  'network:ls': NetworkList,
  'network:prune': NetworkPrune,
  'network:rm': NetworkRemove,
  'pod:ls': PodList,
  version: Version,
  'volume:create': VolumeCreate,
  'volume:inspect': VolumeInspect,
  'volume:ls': VolumeList,
  'volume:prune': VolumePrune,
  'volume:rm': VolumeRemove,
};
