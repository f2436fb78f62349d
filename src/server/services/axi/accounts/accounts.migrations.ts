import { type Kysely, sql } from 'kysely';
import type { MigrationSet } from '../../../platform/db/migrate.js';

/** Users, their sessions, second factors and API keys, and the token signing keys, in `axi`. */
export const accountsMigrations: MigrationSet = {
  '0100_create_users': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .withSchema('axi')
        .createTable('users')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        // Stored lower-cased; the unique index on lower(email) guards any writer that forgets.
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('organisation', 'text')
        .addColumn('locale', 'text', (c) => c.notNull().defaultTo('en'))
        .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('UTC'))
        .addColumn('roles', 'jsonb', (c) => c.notNull())
        .addColumn('disabled', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('failed_login_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'timestamptz')
        .addColumn('totp_secret', 'text')
        .addColumn('totp_pending_secret', 'text')
        .addColumn('totp_enabled', 'boolean', (c) => c.notNull().defaultTo(false))
        // The last accepted 30 s step: a code is accepted once, never replayed within its window.
        .addColumn('totp_last_step', 'bigint')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await sql`create unique index users_email_lower_key on axi.users (lower(email))`.execute(db);
      await db.schema
        .withSchema('axi')
        .createIndex('users_created_idx')
        .on('users')
        .column('created_at')
        .execute();
    },
  },
  '0101_create_signing_keys': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .withSchema('axi')
        .createTable('signing_keys')
        .addColumn('kid', 'text', (c) => c.primaryKey())
        .addColumn('private_key_pem', 'text', (c) => c.notNull())
        .addColumn('public_jwk', 'jsonb', (c) => c.notNull())
        .addColumn('active', 'boolean', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      // At most one active key: replicas starting together on an empty table race to insert one;
      // the losers' inserts hit this index (on conflict do nothing) and they read the winner's key.
      await sql`create unique index signing_keys_one_active on axi.signing_keys ((true)) where active`.execute(
        db,
      );
    },
  },
  '0102_create_refresh_tokens': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .withSchema('axi')
        .createTable('refresh_tokens')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('family_id', 'uuid', (c) => c.notNull())
        .addColumn('user_id', 'uuid', (c) => c.notNull().references('axi.users.id').onDelete('cascade'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .addColumn('rotated_at', 'timestamptz')
        .addColumn('revoked_at', 'timestamptz')
        .execute();
      await db.schema
        .withSchema('axi')
        .createIndex('refresh_tokens_family_idx')
        .on('refresh_tokens')
        .column('family_id')
        .execute();
      await db.schema
        .withSchema('axi')
        .createIndex('refresh_tokens_user_idx')
        .on('refresh_tokens')
        .column('user_id')
        .execute();
    },
  },
  '0103_create_recovery_codes': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .withSchema('axi')
        .createTable('recovery_codes')
        .addColumn('user_id', 'uuid', (c) => c.notNull().references('axi.users.id').onDelete('cascade'))
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('used_at', 'timestamptz')
        .addPrimaryKeyConstraint('recovery_codes_pk', ['user_id', 'code_hash'])
        .execute();
    },
  },
  '0104_create_api_keys': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .withSchema('axi')
        .createTable('api_keys')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('user_id', 'uuid', (c) => c.notNull().references('axi.users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('scopes', 'jsonb', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz')
        .addColumn('last_used_at', 'timestamptz')
        .addColumn('revoked_at', 'timestamptz')
        .execute();
      await db.schema
        .withSchema('axi')
        .createIndex('api_keys_user_idx')
        .on('api_keys')
        .column('user_id')
        .execute();
    },
  },
};
