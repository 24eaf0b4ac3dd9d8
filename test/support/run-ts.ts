// How a test starts a process of its own from a TypeScript source: plain node with the suite's module hook, which
// starts faster than tsx (see scripts/ts-loader.mjs).

/** Node's arguments that let it run a .ts file: `spawn(process.execPath, [...RUN_TS, file])`. */
export const RUN_TS: readonly string[] = ['--import', new URL('../../scripts/ts-loader.mjs', import.meta.url).href];
