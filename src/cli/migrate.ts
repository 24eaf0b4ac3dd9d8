import { Command } from 'commander';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { configFor, print } from './output.ts';

export function migrateCommand(): Command {
  return new Command('migrate').description('apply pending database migrations').action(async (_opts, cmd: Command) => {
    const config = configFor(cmd);
    const database = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
    try {
      const applied = await migrateToLatest(database);
      print(cmd, { applied }, applied.length ? `Applied ${applied.join(', ')}.` : 'The database is up to date.');
    } finally {
      await database.close();
    }
  });
}
