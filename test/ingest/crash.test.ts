import { describeCrashTest } from './crash-scenario.ts';

describeCrashTest('sqlite');
