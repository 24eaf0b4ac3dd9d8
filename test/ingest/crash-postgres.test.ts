import { testDialects } from '../support/db.ts';
import { describeCrashTest } from './crash-scenario.ts';

// Runs when PAGESCOPE_TEST_DATABASE_URL is set, like every PostgreSQL test.
if (testDialects().includes('postgres')) describeCrashTest('postgres');
