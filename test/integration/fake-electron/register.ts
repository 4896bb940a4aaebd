// `node --import ./register.ts out/main/index.js`: installs hooks.ts before the main bundle loads.
import { register } from 'node:module';

register('./hooks.ts', import.meta.url);
