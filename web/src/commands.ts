/** Commands on the open conversation, from a shortcut key or the palette: the inbox listens and applies them. */
export type CommandName = 'reply' | 'note' | 'assign' | 'resolve';

const EVENT = 'pagescope:command';

export function runCommand(name: CommandName): void {
  window.dispatchEvent(new CustomEvent<CommandName>(EVENT, { detail: name }));
}

export function onCommand(fn: (name: CommandName) => void): () => void {
  const listener = (e: Event) => fn((e as CustomEvent<CommandName>).detail);
  window.addEventListener(EVENT, listener);
  return () => window.removeEventListener(EVENT, listener);
}
