// Runs TypeScript under plain node: `node --import ./scripts/ts-loader.mjs file.ts`. The test suite uses it for every
// test file and for the processes its tests start from source (see ts-loader-hooks.mjs for what it does, and the
// README's design notes for why it is not tsx).
import { register } from 'node:module';

register('./ts-loader-hooks.mjs', import.meta.url);
// Stack traces name the .ts file and line (each compiled module carries an inline source map).
process.setSourceMapsEnabled(true);
