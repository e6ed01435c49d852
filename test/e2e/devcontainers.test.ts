/**
 * End-to-end tests of the devcontainers, opened as an editor opens them: the Dev Containers CLI
 * (@devcontainers/cli, the reference implementation behind VS Code's Dev Containers and
 * Codespaces) runs `devcontainer up` on each .devcontainer folder, then `devcontainer exec` runs
 * the demo's own checks inside, then the container and what it made are removed. No Features:
 * they would download from a registry.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { engineSkip, mustRun, repoRoot, run, saveArtifact } from '../lib/docker.ts';
import { dockerLines, resourcesMatching } from '../lib/leftovers.ts';

const cli = path.join(repoRoot, 'node_modules', '.bin', 'devcontainer');

interface Devcontainer {
  /** The demo folder that holds .devcontainer/. */
  folder: string;
  /** What `devcontainer exec` runs: the demo's own checks. */
  check: string[];
  /** A line the check must print when it passes. */
  passes: RegExp;
  /** The user the editor's terminals run as. */
  user: string;
  /** The workspace folder inside the container. */
  workspace: string;
  /**
   * Open a copy that belongs to this uid, as on a Linux desktop, rather than the repository's
   * folder (which belongs to root on a CI machine, and then JupyterLab runs as root, not as the
   * editor's jovyan). The copy has the folders it mounts beside it.
   */
  copyOwnedBy?: { uid: number; with: string[] };
}

const devcontainers: Devcontainer[] = [
  // The unit tests, on the working copy that .devcontainer/compose.yaml mounts over /app.
  { folder: 'linear-classifier', check: ['npm', 'test'], passes: /^ℹ fail 0$/m, user: 'node', workspace: '/app' },
  // The notebook's last cells throw if it and the shared model module disagree.
  {
    folder: 'linear-classifier-jupyter',
    check: ['jupyter', 'execute', '--output', '/tmp/executed', 'perceptron.ipynb'],
    passes: /Executing notebook with kernel: deno/,
    user: 'jovyan',
    workspace: '/home/jovyan/work',
    copyOwnedBy: { uid: 1000, with: ['linear-classifier'] },
  },
];

/** The image ids there are now. */
async function imageIds(): Promise<Set<string>> {
  const { stdout } = await mustRun('docker', ['image', 'ls', '-q', '--no-trunc']);
  return new Set(stdout.split('\n').filter(Boolean));
}

/** Removes the containers, networks and volumes of the dev container's Compose project. */
async function removeDevcontainer(workspace: string): Promise<void> {
  const projects = await dockerLines([
    'container',
    'ls',
    '-a',
    '--filter',
    `label=devcontainer.local_folder=${workspace}`,
    '--format',
    '{{.Label "com.docker.compose.project"}}',
  ]);
  for (const project of new Set(projects)) {
    await run('docker', ['compose', '-p', project, 'down', '--volumes', '--remove-orphans']);
  }
}

describe('devcontainers', { skip: engineSkip() }, () => {
  for (const dc of devcontainers) {
    const copy = dc.copyOwnedBy ? mkdtempSync(path.join(os.tmpdir(), 'devcontainer-')) : undefined;
    const workspace = path.join(copy ?? repoRoot, dc.folder);
    let before: Set<string>;
    after(async () => {
      await removeDevcontainer(workspace);
      if (copy) rmSync(copy, { recursive: true, force: true });
      // The images this test built (the dev container's own, if the CLI made one): nobody else's.
      if (before)
        for (const id of await imageIds()) if (!before.has(id)) await run('docker', ['image', 'rm', '-f', id]);
    });

    test(
      `${dc.folder}: devcontainer up, devcontainer exec runs its checks, then the container is removed`,
      { timeout: 1_200_000 },
      async () => {
        before = await imageIds();
        if (copy && dc.copyOwnedBy) {
          for (const folder of [dc.folder, ...dc.copyOwnedBy.with]) {
            cpSync(path.join(repoRoot, folder), path.join(copy, folder), {
              recursive: true,
              filter: (src) => !src.split(path.sep).includes('node_modules'),
            });
          }
          // Only root has a folder nobody else's; any other user's copy is already theirs.
          if (process.getuid?.() === 0)
            await mustRun('chown', ['-R', `${dc.copyOwnedBy.uid}:${dc.copyOwnedBy.uid}`, workspace]);
        }
        const up = await run(cli, ['up', '--workspace-folder', workspace, '--remove-existing-container'], {
          timeoutMs: 900_000,
        });
        saveArtifact(`devcontainers/${dc.folder}-up.txt`, up.output);
        assert.equal(up.code, 0, up.output);
        const outcome = JSON.parse(up.stdout.trim().split('\n').at(-1)!) as {
          outcome: string;
          remoteUser: string;
          remoteWorkspaceFolder: string;
        };
        assert.equal(outcome.outcome, 'success');
        assert.equal(outcome.remoteUser, dc.user);
        assert.equal(outcome.remoteWorkspaceFolder, dc.workspace);

        const whoami = await run(cli, ['exec', '--workspace-folder', workspace, 'sh', '-c', 'id -un; pwd']);
        assert.equal(whoami.code, 0, whoami.output);
        assert.deepEqual(whoami.stdout.trim().split('\n').slice(-2), [dc.user, dc.workspace]);

        const check = await run(cli, ['exec', '--workspace-folder', workspace, ...dc.check], { timeoutMs: 600_000 });
        saveArtifact(`devcontainers/${dc.folder}-check.txt`, check.output);
        assert.equal(check.code, 0, check.output);
        assert.match(check.output, dc.passes);

        await removeDevcontainer(workspace);
        assert.deepEqual(
          await resourcesMatching(`label=devcontainer.local_folder=${workspace}`),
          [],
          'the dev container is removed',
        );
      },
    );
  }
});
