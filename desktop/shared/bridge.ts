/**
 * The contract between the Electron main process, the preload script and the renderer: the
 * preload exposes exactly this object as `window.rosterDesktop`; in a plain browser it is absent.
 */
export interface StoredTokens { access_token: string; refresh_token: string; expires_at: number }
export interface ConnectionProfile { id: string; name: string; url: string }
export type DesktopMode = 'local' | 'remote';
export interface DesktopState {
  mode: DesktopMode | null;
  /** A server is selected and answering: the renderer may show the app. */
  ready: boolean;
  /** Local mode on a fresh data folder: the first administrator must be created. */
  needsSetup: boolean;
  profiles: ConnectionProfile[];
  activeProfileId: string | null;
  error: string | null;
  /** Where local mode keeps its database and logs (shown on the first-run screen). */
  dataDir?: string;
}
export interface RosterBridge {
  state(): Promise<DesktopState>;
  chooseLocal(): Promise<DesktopState>;               // starts the embedded server (needsSetup true on a fresh data folder)
  setupLocal(admin: { email: string; password: string }): Promise<DesktopState>;
  saveProfile(p: Omit<ConnectionProfile, 'id'> & { id?: string }): Promise<DesktopState>;
  deleteProfile(id: string): Promise<DesktopState>;
  chooseRemote(profileId: string): Promise<DesktopState>;
  switchMode(): Promise<DesktopState>;               // back to the chooser; stops the local server
  tokens: { load(): Promise<StoredTokens | null>; save(t: StoredTokens): Promise<void>; clear(): Promise<void> };
  files: { save(file: { defaultName: string; contents: string }): Promise<string | null> };
}
declare global { interface Window { rosterDesktop?: RosterBridge } }
