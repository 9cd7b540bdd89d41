import type { LoupeBridge } from '../../electron/contract';

declare global {
  interface Window {
    loupe: LoupeBridge;
  }
}
