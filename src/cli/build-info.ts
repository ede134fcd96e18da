// Filled in by the build (esbuild `define`); running from source reports "dev".

declare const BERTH_VERSION: string | undefined;
declare const BERTH_GIT_COMMIT: string | undefined;

export const berthVersion: string = typeof BERTH_VERSION === 'string' ? BERTH_VERSION : 'dev';
export const berthGitCommit: string = typeof BERTH_GIT_COMMIT === 'string' ? BERTH_GIT_COMMIT : 'unknown';
