import { contextBridge, ipcRenderer } from 'electron';
import type { RosterBridge } from '../shared/bridge';
import { CHANNELS } from '../shared/channels';

/**
 * The renderer's only door to main: one function per channel, invoke-only, no ipcRenderer and no
 * Node exposed. Main checks every payload and the sender again.
 */
const bridge: RosterBridge = {
  state: () => ipcRenderer.invoke(CHANNELS.state),
  chooseLocal: () => ipcRenderer.invoke(CHANNELS.chooseLocal),
  setupLocal: (admin) => ipcRenderer.invoke(CHANNELS.setupLocal, { email: admin.email, password: admin.password }),
  saveProfile: (p) => ipcRenderer.invoke(CHANNELS.saveProfile, p.id ? { id: p.id, name: p.name, url: p.url } : { name: p.name, url: p.url }),
  deleteProfile: (id) => ipcRenderer.invoke(CHANNELS.deleteProfile, id),
  chooseRemote: (profileId) => ipcRenderer.invoke(CHANNELS.chooseRemote, profileId),
  switchMode: () => ipcRenderer.invoke(CHANNELS.switchMode),
  tokens: {
    load: () => ipcRenderer.invoke(CHANNELS.tokensLoad),
    save: (t) => ipcRenderer.invoke(CHANNELS.tokensSave, { access_token: t.access_token, refresh_token: t.refresh_token, expires_at: t.expires_at }),
    clear: () => ipcRenderer.invoke(CHANNELS.tokensClear),
  },
  files: {
    save: (file) => ipcRenderer.invoke(CHANNELS.filesSave, { defaultName: file.defaultName, contents: file.contents }),
  },
};

contextBridge.exposeInMainWorld('rosterDesktop', bridge);
