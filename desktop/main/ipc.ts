import { z } from 'zod';
import { CHANNELS, APP_HOST, APP_SCHEME, type ChannelName } from '../shared/channels';
import { isProxiedPath } from './app-protocol';
import { adminAccountSchema, profileIdSchema, profileInputSchema, type DesktopController } from './desktop-controller';
import { storedTokensSchema } from './token-store';
import { saveFileSchema } from './files';
import { describeIssues } from './validation';

/** What main needs of an IPC invoke event: the frame that sent it. */
export interface InvokeEventLike {
  senderFrame: { url: string; parent?: unknown } | null;
  sender: unknown;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
}

/**
 * Only the app's own top-level page may call main: not an iframe, not a page from elsewhere, and
 * not a page the server answered through the proxy (/docs, or anything a remote server sends).
 */
export function isTrustedSender(event: InvokeEventLike): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent) return false;
  try {
    const url = new URL(frame.url);
    return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST && !isProxiedPath(url.pathname);
  } catch {
    return false;
  }
}

/** The payload of each channel, as the argument list of the bridge function. */
export const CHANNEL_ARGS: Record<ChannelName, z.ZodType<unknown[]>> = {
  [CHANNELS.state]: z.tuple([]),
  [CHANNELS.chooseLocal]: z.tuple([]),
  [CHANNELS.setupLocal]: z.tuple([adminAccountSchema]),
  [CHANNELS.saveProfile]: z.tuple([profileInputSchema]),
  [CHANNELS.deleteProfile]: z.tuple([profileIdSchema]),
  [CHANNELS.chooseRemote]: z.tuple([profileIdSchema]),
  [CHANNELS.switchMode]: z.tuple([]),
  [CHANNELS.tokensLoad]: z.tuple([]),
  [CHANNELS.tokensSave]: z.tuple([storedTokensSchema]),
  [CHANNELS.tokensClear]: z.tuple([]),
  [CHANNELS.filesSave]: z.tuple([saveFileSchema]),
};

export interface IpcDeps {
  controller: DesktopController;
  saveFile(event: InvokeEventLike, file: unknown): Promise<string | null>;
}

type Handler = (deps: IpcDeps, event: InvokeEventLike, args: unknown[]) => unknown;

const HANDLERS: Record<ChannelName, Handler> = {
  [CHANNELS.state]: ({ controller }) => controller.state(),
  [CHANNELS.chooseLocal]: ({ controller }) => controller.chooseLocal(),
  [CHANNELS.setupLocal]: ({ controller }, _e, [admin]) => controller.setupLocal(admin),
  [CHANNELS.saveProfile]: ({ controller }, _e, [p]) => controller.saveProfile(p),
  [CHANNELS.deleteProfile]: ({ controller }, _e, [pid]) => controller.deleteProfile(pid),
  [CHANNELS.chooseRemote]: ({ controller }, _e, [pid]) => controller.chooseRemote(pid),
  [CHANNELS.switchMode]: ({ controller }) => controller.switchMode(),
  [CHANNELS.tokensLoad]: ({ controller }) => controller.loadTokens(),
  [CHANNELS.tokensSave]: ({ controller }, _e, [t]) => { controller.saveTokens(t); },
  [CHANNELS.tokensClear]: ({ controller }) => { controller.clearTokens(); },
  [CHANNELS.filesSave]: (deps, e, [file]) => deps.saveFile(e, file),
};

/** Registers every channel: a foreign sender or a payload of the wrong shape is refused before any work. */
export function registerIpc(ipcMain: IpcMainLike, deps: IpcDeps): void {
  for (const channel of Object.values(CHANNELS)) {
    ipcMain.handle(channel, async (event, ...args) => {
      if (!isTrustedSender(event)) throw new Error(`Refused: ${channel} may only be called by the Roster app`);
      const parsed = CHANNEL_ARGS[channel].safeParse(args);
      if (!parsed.success) throw new Error(`Invalid request to ${channel}: ${describeIssues(parsed.error, 1)}`);
      return HANDLERS[channel](deps, event, parsed.data);
    });
  }
}
