import type { Kysely, Transaction } from 'kysely';
import type { FoundationTables } from './tables/foundation.ts';
import type { ConversationTables } from './tables/conversations.ts';
import type { MessagingTables } from './tables/messaging.ts';
import type { PrivacyTables } from './tables/privacy.ts';
import type { IdentityTables } from './tables/identity.ts';
import type { InboxTables } from './tables/inbox.ts';
import type { UserTables } from './tables/users.ts';
import type { SettingsTables } from './tables/settings.ts';
import type { CannedResponseTables } from './tables/canned-responses.ts';
import type { AudienceTables } from './tables/audience.ts';
import type { AutomationTables } from './tables/automations.ts';
import type { AssistantTables } from './tables/assistant.ts';
import type { MetaSettingsTables } from './tables/meta-settings.ts';
import type { CampaignTables } from './tables/campaigns.ts';
import type { SequenceTables } from './tables/sequences.ts';

/**
 * The whole schema as Kysely sees it. Each domain declares its tables in `db/tables/<domain>.ts` and adds its
 * interface here, so that no two domains edit the same table list.
 */
export interface DB
  extends
    FoundationTables,
    ConversationTables,
    MessagingTables,
    PrivacyTables,
    IdentityTables,
    UserTables,
    InboxTables,
    SettingsTables,
    CannedResponseTables,
    AudienceTables,
    AutomationTables,
    AssistantTables,
    MetaSettingsTables,
    CampaignTables,
    SequenceTables {}

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<DB>;

/** What a repository function runs on: the database itself, or the transaction of the command that calls it. */
export type Executor = Kysely<DB> | Transaction<DB>;
