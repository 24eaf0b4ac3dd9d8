// The key vault: master key loading, the keyring (field AEAD, blind index, token hash), tokens and rotation.
export { loadMasterKey, createMasterKeyFile, masterKeyPath, MASTER_KEY_ENV, MASTER_KEY_FILE } from './master-key.ts';
export type { MasterKeySource } from './master-key.ts';
export { computeKeyCheck, MASTER_KEY_BYTES } from './key-hierarchy.ts';
export type { WrappedKeyVersion } from './key-wrap.ts';
export { Keyring } from './keyring.ts';
export type { FieldContext, KeyringTransfer } from './keyring.ts';
export { generateToken, constantTimeEqual } from './bearer-tokens.ts';
export { rewrapAll } from './rotation.ts';
export type { RewrapSource, RewrapOptions, RewrapProgress, RewrapResult } from './rotation.ts';
