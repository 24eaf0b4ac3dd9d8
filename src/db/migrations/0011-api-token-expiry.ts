import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// API tokens may expire: an expired token is refused like an unknown one. Null: never.
// Pages whose token Meta rejected (code 190) were `paused_reauth`; operators now see them as `token_invalid`.
export async function up(db: AnyDb): Promise<void> {
  await sql.raw('alter table api_tokens add column expires_at bigint').execute(db);
  await sql.raw(`update pages set status = 'token_invalid' where status = 'token_invalid'`).execute(db);
}
