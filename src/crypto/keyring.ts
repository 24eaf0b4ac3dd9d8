// The keyring: field encryption bound to its row, blind indexes and token hashes, all under keys from one master key.
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { AppError } from '../errors.ts';
import { open, seal } from './aead.ts';
import { decodeBase64urlStrict, encodeFields } from './encoding.ts';
import { deriveKey, keyCheckMatches } from './key-hierarchy.ts';
import { isValidVersion, unwrapDek, wrapNewDek, type WrappedKeyVersion } from './key-wrap.ts';

/** Where a value lives; it is bound into the ciphertext, so a value moved elsewhere no longer decrypts. */
export interface FieldContext {
  table: string;
  column: string;
  pageId: string | null;
  rowId: string;
}

const CIPHERTEXT = /^v([1-9][0-9]{0,8})\.([A-Za-z0-9_-]+)$/;
// `:` and `_` so that a purpose can name a field (`attribute:first_name`); the fields are length-prefixed, so no
// purpose and value can pass for another.
const PURPOSE = /^[a-z0-9][a-z0-9_:-]{0,99}$/;

function decryptionFailed(): AppError {
  // One message for every cause, so that the error tells an attacker nothing about which check failed.
  return new AppError(
    'decryption_failed',
    'a stored value could not be decrypted (tampered, moved to another row, unknown key version or wrong key)',
  );
}

function parse(ciphertext: string): { version: number; sealed: Buffer } | null {
  const match = typeof ciphertext === 'string' ? CIPHERTEXT.exec(ciphertext) : null;
  if (!match) return null;
  const sealed = decodeBase64urlStrict(match[2]!);
  return sealed ? { version: Number(match[1]), sealed } : null;
}

function fieldAad(version: number, ctx: FieldContext): Buffer {
  if (
    !ctx ||
    typeof ctx.table !== 'string' ||
    typeof ctx.column !== 'string' ||
    typeof ctx.rowId !== 'string' ||
    (ctx.pageId !== null && typeof ctx.pageId !== 'string')
  ) {
    throw new AppError('internal', 'a field context needs string table, column, rowId and a string or null pageId');
  }
  return encodeFields(['pagescope/field/v1', version, ctx.table, ctx.column, ctx.pageId, ctx.rowId]);
}

/** A keyring's keys on their way to another thread of the same process (see `Keyring.transfer`). */
export interface KeyringTransfer {
  kek: KeyObject;
  blindIndexKey: KeyObject;
  tokenHashKey: KeyObject;
  deks: [version: number, dek: KeyObject][];
  current: number;
}

export class Keyring {
  readonly #kek: KeyObject;
  readonly #blindIndexKey: KeyObject;
  readonly #tokenHashKey: KeyObject;
  readonly #deks = new Map<number, KeyObject>();
  readonly #searchKeys = new Map<number, KeyObject>();
  #current = 0;

  private constructor(keys: Pick<KeyringTransfer, 'kek' | 'blindIndexKey' | 'tokenHashKey'>) {
    this.#kek = keys.kek;
    this.#blindIndexKey = keys.blindIndexKey;
    this.#tokenHashKey = keys.tokenHashKey;
  }

  /** A new random DEK for `version`, wrapped under the master key's KEK, ready to store; nothing else changes. */
  static wrapNewVersion(master: Buffer, version: number): WrappedKeyVersion {
    if (!isValidVersion(version)) throw new AppError('internal', `invalid key version ${String(version)}`);
    return { version, wrapped: wrapNewDek(deriveKey(master, 'kek/v1'), version), createdAt: Date.now() };
  }

  /**
   * Unwraps every stored version or throws before anything is decrypted: `wrong_master_key` when the key check (or,
   * without one, any unwrap) fails. The current version is the highest unless `currentVersion` names another.
   */
  static open(
    master: Buffer,
    versions: readonly WrappedKeyVersion[],
    keyCheck?: string,
    currentVersion?: number,
  ): Keyring {
    if (keyCheck !== undefined && !keyCheckMatches(master, keyCheck)) {
      throw new AppError(
        'wrong_master_key',
        "the master key (PAGESCOPE_MASTER_KEY or the data dir's master.key) is not the key this database was " +
          'initialised with; start with the original key',
      );
    }
    if (versions.length === 0) {
      throw new AppError('config_invalid', 'no encryption key versions are stored; run `pagescope init` first');
    }
    const ring = new Keyring({
      kek: deriveKey(master, 'kek/v1'),
      blindIndexKey: deriveKey(master, 'blind-index/v1'),
      tokenHashKey: deriveKey(master, 'token-hash/v1'),
    });
    for (const entry of versions) ring.#add(entry, keyCheck !== undefined);
    const current = currentVersion ?? Math.max(...ring.#deks.keys());
    if (!ring.#deks.has(current)) throw new AppError('internal', `the current key version ${current} is not stored`);
    ring.#current = current;
    return ring;
  }

  #add(entry: WrappedKeyVersion, masterVerified: boolean): void {
    if (!isValidVersion(entry.version)) throw new AppError('internal', `invalid key version ${String(entry.version)}`);
    if (this.#deks.has(entry.version)) throw new AppError('internal', `key version ${entry.version} is listed twice`);
    const dek = unwrapDek(this.#kek, entry.version, entry.wrapped);
    if (dek) {
      this.#deks.set(entry.version, dek);
    } else if (masterVerified) {
      throw new AppError('decryption_failed', `stored key version ${entry.version} is damaged and cannot be unwrapped`);
    } else {
      throw new AppError(
        'wrong_master_key',
        `key version ${entry.version} cannot be unwrapped: the master key (PAGESCOPE_MASTER_KEY or master.key) is ` +
          'not the one this database was initialised with',
      );
    }
  }

  /**
   * This keyring's keys as KeyObjects, which node passes between threads of one process by `postMessage`: for a
   * worker thread that encrypts and indexes as this keyring does. Never serialise or log it.
   */
  transfer(): KeyringTransfer {
    return {
      kek: this.#kek,
      blindIndexKey: this.#blindIndexKey,
      tokenHashKey: this.#tokenHashKey,
      deks: [...this.#deks],
      current: this.#current,
    };
  }

  /** The keyring another thread of this process sent with `transfer()`. */
  static fromTransfer(t: KeyringTransfer): Keyring {
    const ring = new Keyring(t);
    for (const [version, dek] of t.deks) ring.#deks.set(version, dek);
    ring.#current = t.current;
    return ring;
  }

  /** Loads a version stored after start-up (e.g. by `keys rotate` in another process); a higher one becomes current. */
  addVersion(entry: WrappedKeyVersion): void {
    if (this.#deks.has(entry.version)) return;
    this.#add(entry, false);
    if (entry.version > this.#current) this.#current = entry.version;
  }

  get currentVersion(): number {
    return this.#current;
  }

  /** Every loaded key version, ascending. */
  versions(): number[] {
    return [...this.#deks.keys()].sort((a, b) => a - b);
  }

  /** `v<version>.<base64url(nonce‖ciphertext‖tag)>` under the current version; a new random nonce every call. */
  encrypt(plaintext: string | Buffer, ctx: FieldContext): string {
    const bytes = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    return `v${this.#current}.${this.#seal(bytes, ctx).toString('base64url')}`;
  }

  /** As `encrypt`, for bytes kept as bytes (a file, not a column): its version in 4 bytes, then nonce‖ciphertext‖tag. */
  encryptBytes(plaintext: Buffer, ctx: FieldContext): Buffer {
    const sealed = this.#seal(plaintext, ctx);
    const out = Buffer.allocUnsafe(4 + sealed.length);
    out.writeUInt32BE(this.#current, 0);
    sealed.copy(out, 4);
    return out;
  }

  /** The bytes `encryptBytes` sealed for this `ctx`, or `decryption_failed`. */
  decryptBytes(bytes: Buffer, ctx: FieldContext): Buffer {
    if (bytes.length <= 4) throw decryptionFailed();
    return this.#open(bytes.readUInt32BE(0), bytes.subarray(4), ctx);
  }

  /** The exact bytes encrypted for this `ctx`, or `decryption_failed`; never other data. */
  decryptBuffer(ciphertext: string, ctx: FieldContext): Buffer {
    const parsed = parse(ciphertext);
    if (!parsed) throw decryptionFailed();
    return this.#open(parsed.version, parsed.sealed, ctx);
  }

  /** nonce‖ciphertext‖tag under the current version, bound to `ctx`. */
  #seal(plaintext: Buffer, ctx: FieldContext): Buffer {
    return seal(this.#deks.get(this.#current)!, plaintext, fieldAad(this.#current, ctx));
  }

  /** The plaintext of `sealed` under `version` for `ctx`, or `decryption_failed` for every cause alike. */
  #open(version: number, sealed: Buffer, ctx: FieldContext): Buffer {
    const dek = this.#deks.get(version);
    const plaintext = dek && open(dek, sealed, fieldAad(version, ctx));
    if (!plaintext) throw decryptionFailed();
    return plaintext;
  }

  /** The string encrypted for this `ctx` (UTF-8), or `decryption_failed`. */
  decrypt(ciphertext: string, ctx: FieldContext): string {
    return this.decryptBuffer(ciphertext, ctx).toString('utf8');
  }

  /** The key version a ciphertext names; `decryption_failed` when it is not a keyring ciphertext at all. */
  versionOf(ciphertext: string): number {
    const parsed = parse(ciphertext);
    if (!parsed) throw decryptionFailed();
    return parsed.version;
  }

  /** True when the ciphertext is under a version other than the current one. */
  needsRewrap(ciphertext: string): boolean {
    return this.versionOf(ciphertext) !== this.#current;
  }

  /** Decrypts with the ciphertext's own version and re-encrypts under the current one, for the same `ctx`. */
  rewrap(ciphertext: string, ctx: FieldContext): string {
    return this.encrypt(this.decryptBuffer(ciphertext, ctx), ctx);
  }

  /**
   * Full HMAC-SHA256 (base64url, 43 chars) under the blind-index key, separated by `purpose` ('psid', 'name-token',
   * …): deterministic, so equal values give equal indexes. Callers normalise the value first if they need to.
   */
  blindIndex(value: string, purpose: string): string {
    if (typeof purpose !== 'string' || !PURPOSE.test(purpose)) {
      throw new AppError('internal', 'a blind-index purpose is 1-100 characters of a-z, 0-9, _, : and -');
    }
    return createHmac('sha256', this.#blindIndexKey)
      .update(encodeFields(['pagescope/blind-index/v1', purpose, value]))
      .digest('base64url');
  }

  /**
   * A search token: HMAC-SHA256 (base64url, 22 chars: 128 bits is plenty for equality) of a normalised word under a
   * search key of its own, derived from key version `version`'s DEK (the current one by default). Rotating the keys
   * gives a new search key, so an index built under the old version is rebuilt, and a stolen index cannot be
   * matched against guessed words without the key.
   */
  searchToken(word: string, version: number = this.#current): string {
    let key = this.#searchKeys.get(version);
    if (!key) {
      const dek = this.#deks.get(version);
      if (!dek) throw new AppError('internal', `key version ${version} is not loaded`);
      key = createSecretKey(createHmac('sha256', dek.export()).update('pagescope/search-token/v1').digest());
      this.#searchKeys.set(version, key);
    }
    return createHmac('sha256', key).update(word, 'utf8').digest('base64url').slice(0, 22);
  }

  /** HMAC-SHA256 of an API token under the token-hash key (base64url); store this, never the token. */
  hashToken(token: string): string {
    return createHmac('sha256', this.#tokenHashKey).update(token, 'utf8').digest('base64url');
  }

  // Keys live in private fields; these keep a logged or serialised keyring down to its public state.
  toJSON(): { currentVersion: number; versions: number[] } {
    return { currentVersion: this.#current, versions: this.versions() };
  }

  [inspect.custom](): string {
    return `Keyring ${JSON.stringify(this.toJSON())}`;
  }
}
