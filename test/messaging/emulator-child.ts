// The emulator in its own process, so that what is measured against it (the dispatcher, a raw HTTP loop) does not
// share its CPU. Options come as JSON in EMULATOR_OPTIONS; prints {"url"} once listening; SIGTERM stops it.
import { startEmulatorServer, type EmulatorOptionsInput } from '../../src/emulator/index.ts';

const options = JSON.parse(process.env.EMULATOR_OPTIONS ?? '{}') as EmulatorOptionsInput;
const server = await startEmulatorServer(options);
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
