// The preload: exposes one typed API built from the IPC contract, nothing else. It runs sandboxed
// with context isolation; the renderer never sees ipcRenderer itself.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { BRIDGE_KEY, CHANNELS, isEventName, type RendererApi } from '../../shared/ipc.ts';

const api: Record<string, unknown> = {};
for (const channel of CHANNELS) {
  api[channel] = (input: unknown) => ipcRenderer.invoke('ipc', channel, input);
}
api.on = (event: string, listener: (payload: unknown) => void) => {
  if (!isEventName(event)) throw new Error(`Unknown event ${event}`);
  const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
  ipcRenderer.on(`event:${event}`, wrapped);
  return () => {
    ipcRenderer.removeListener(`event:${event}`, wrapped);
  };
};

contextBridge.exposeInMainWorld(BRIDGE_KEY, Object.freeze(api) as RendererApi);
