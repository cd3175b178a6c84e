/**
 * IPC channel names, one per bridge function. The preload invokes them and main handles them;
 * every channel is invoke-only (request and answer), never a push from main.
 */
export const CHANNELS = {
  state: 'roster:state',
  chooseLocal: 'roster:choose-local',
  setupLocal: 'roster:setup-local',
  saveProfile: 'roster:save-profile',
  deleteProfile: 'roster:delete-profile',
  chooseRemote: 'roster:choose-remote',
  switchMode: 'roster:switch-mode',
  tokensLoad: 'roster:tokens-load',
  tokensSave: 'roster:tokens-save',
  tokensClear: 'roster:tokens-clear',
  filesSave: 'roster:files-save',
} as const;

export type ChannelName = (typeof CHANNELS)[keyof typeof CHANNELS];

/** The renderer's origin: a privileged custom scheme served by the main process. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'roster';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
