import { createInterface } from 'node:readline';
import { UsageError } from './output.ts';

export const PAGE_TOKEN_ENV = 'PAGESCOPE_PAGE_TOKEN';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
  return text;
}

// On a terminal, one line after a prompt on stderr (stdout stays the command's output).
async function askTerminal(): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question('Page access token: ', resolve));
  } finally {
    rl.close();
  }
}

/**
 * The Page access token for `pages add`, from where it leaks least: standard input (`--token -`, or any stdin that
 * is not a terminal when --token is absent), then PAGESCOPE_PAGE_TOKEN; an argument (`--token T`) is accepted but
 * shows in `ps` and in shell history.
 */
export async function readPageToken(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  let token: string;
  if (flag !== undefined && flag !== '-') token = flag;
  else if (flag === '-') token = process.stdin.isTTY ? await askTerminal() : await readAll(process.stdin);
  else if (env[PAGE_TOKEN_ENV]) token = env[PAGE_TOKEN_ENV];
  else if (!process.stdin.isTTY) token = await readAll(process.stdin);
  else
    throw new UsageError(
      `give the Page access token on standard input (--token -), in ${PAGE_TOKEN_ENV}, or with --token`,
    );
  token = token.trim();
  if (!token)
    throw new UsageError(
      `the Page access token is empty: give it on standard input (--token -), in ${PAGE_TOKEN_ENV}, or with --token`,
    );
  return token;
}
