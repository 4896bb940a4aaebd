// The preload: exposes one typed API built from the IPC contract, nothing else. It runs sandboxed
// with context isolation; the renderer never sees ipcRenderer itself. It imports only the contract's
// names (shared/ipc-names.ts): the main process validates every input and the renderer every output,
// so zod and the schemas would only weigh here.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { RendererApi } from '../../shared/ipc.ts';
import { BRIDGE_KEY, CHANNEL_NAMES, isEventNameOnly } from '../../shared/ipc-names.ts';

const api: Record<string, unknown> = {};
for (const channel of CHANNEL_NAMES) {
  api[channel] = (input: unknown) => ipcRenderer.invoke('ipc', channel, input);
}
api.on = (event: string, listener: (payload: unknown) => void) => {
  if (!isEventNameOnly(event)) throw new Error(`Unknown event ${event}`);
  const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
  ipcRenderer.on(`event:${event}`, wrapped);
  return () => {
    ipcRenderer.removeListener(`event:${event}`, wrapped);
  };
};

contextBridge.exposeInMainWorld(BRIDGE_KEY, Object.freeze(api) as RendererApi);
