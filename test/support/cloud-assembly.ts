import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// `cdk synth` as a user runs it (the CLI, cdk.json's app, the bundling), into a temporary directory:
// what `cdk deploy` would ship.

const ROOT = resolve(import.meta.dirname, '..', '..');

export async function synthesizeWithCli(context: Record<string, string> = {}): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'payments-cdk-out-'));
  const args = ['cdk', 'synth', '--quiet', '--no-notices', '-o', out];
  for (const [key, value] of Object.entries(context)) args.push('-c', `${key}=${value}`);
  await new Promise<void>((done, fail) => {
    const child = spawn('npx', args, {
      cwd: ROOT,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = `${stderr}${chunk}`.slice(-10_000);
    });
    child.once('error', fail);
    child.once('exit', (code) =>
      code === 0 ? done() : fail(new Error(`cdk synth exited ${code}:\n${stderr}`)),
    );
  });
  return out;
}

/**
 * A copy of a cloud assembly whose stack template `edit` changed (the bundles linked, not copied): a
 * deploy of another template with the same code.
 */
export async function withEditedTemplate(
  assembly: string,
  edit: (template: {
    Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  }) => void,
): Promise<string> {
  const copy = await mkdtemp(join(tmpdir(), 'payments-cdk-out-edited-'));
  for (const entry of await readdir(assembly)) {
    if (entry.startsWith('asset.')) await symlink(join(assembly, entry), join(copy, entry));
    else await cp(join(assembly, entry), join(copy, entry), { recursive: true });
  }
  const templateFile = (await readdir(copy)).find((f) => f.endsWith('.template.json'))!;
  const template = JSON.parse(await readFile(join(copy, templateFile), 'utf8'));
  edit(template);
  await writeFile(join(copy, templateFile), JSON.stringify(template));
  return copy;
}

export const removeAssembly = (dir: string) => rm(dir, { recursive: true, force: true });
