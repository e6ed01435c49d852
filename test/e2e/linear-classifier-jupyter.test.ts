/**
 * End-to-end tests of linear-classifier-jupyter: the image builds with the Deno kernel registered
 * system-wide, the notebook executes headlessly with the committed outputs, the server keeps its
 * token and listens on 127.0.0.1 only, files written in the container belong to the host user
 * (also when that user's uid is 501, not 1000), and a real browser runs a cell on the Deno kernel.
 *
 * Both parts publish 127.0.0.1:8888, as the README does, so they run one after the other.
 */
import assert from 'node:assert/strict';
import {
  accessSync,
  constants,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { compose, engineSkip, inspect, mustRun, repoRoot, run, saveArtifact, waitFor } from '../lib/docker.ts';
import { withBrowserPage } from '../lib/browser.ts';
import type { ComposeFile } from '../lib/files.ts';
import { runReadmeBlock } from '../lib/readme.ts';
import { outputsOf, type Notebook } from '../lib/notebook.ts';

const demo = path.join(repoRoot, 'linear-classifier-jupyter');
const readme = 'linear-classifier-jupyter/README.md';
/** The page on what the image adds: the entrypoint's uid, the Dockerfile, the kernel. */
const imagePage = 'linear-classifier-jupyter/jupyter/README.md';
const service = 'linear-classifier-jupyter';
const image = 'linear-classifier-jupyter';
const base = 'http://127.0.0.1:8888';

/** The token from the server's log, as a learner finds it. */
async function tokenFromLogs(dir: string, project?: string): Promise<string> {
  const projectArgs = project ? ['-p', project] : [];
  return waitFor(
    'the token URL in the log',
    async () => {
      const { stdout } = await compose(dir, [...projectArgs, 'logs', service]);
      return /http:\/\/127\.0\.0\.1:8888\/lab\?token=([0-9a-f]+)/.exec(stdout)?.[1];
    },
    30_000,
  );
}

/** Writes a file through Jupyter's contents API, as the browser does when it saves. */
async function putFile(token: string, name: string, content: string): Promise<Response> {
  return fetch(`${base}/api/contents/${name}`, {
    method: 'PUT',
    headers: { Authorization: `token ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'file', format: 'text', content }),
  });
}

/** The container of the service in a compose project. */
async function containerOf(dir: string, project?: string): Promise<string> {
  const { stdout } = await mustRun('docker', ['compose', ...(project ? ['-p', project] : []), 'ps', '-q', service], {
    cwd: dir,
  });
  return stdout.trim();
}

/** Resolves true when a TCP connection to host:port succeeds. */
function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

describe('linear-classifier-jupyter', { skip: engineSkip() }, () => {
  describe('in the demo folder, owned by the user who runs the tests (root in CI)', () => {
    let token = '';

    before(async () => {
      // The README's first step: build, start, and wait for the healthcheck.
      await runReadmeBlock(readme, 'jupyter-start', { timeoutMs: 900_000 });
      token = await tokenFromLogs(demo);
    });

    after(async () => {
      rmSync(path.join(demo, 'e2e-probe.txt'), { force: true });
      await compose(demo, ['down', '-v', '--rmi', 'local']);
    });

    test('the README finds the URL with the token in the log', async () => {
      await runReadmeBlock(readme, 'jupyter-url');
    });

    test('jupyter kernelspec list includes the Deno kernel, registered system-wide', async () => {
      await runReadmeBlock(readme, 'jupyter-kernels');
      const kernel = JSON.parse(
        (
          await mustRun('docker', [
            'run',
            '--rm',
            '--entrypoint',
            'cat',
            image,
            '/usr/local/share/jupyter/kernels/deno/kernel.json',
          ])
        ).stdout,
      ) as { argv: string[]; env: Record<string, string> };
      assert.deepEqual(kernel.env, { NO_COLOR: '1' });
      assert.equal(kernel.argv[0], '/usr/local/bin/deno');
    });

    test('the container is healthy, and published on 127.0.0.1:8888 only', async () => {
      const container = await containerOf(demo);
      const info = await inspect(container);
      assert.equal(info.State.Health.Status, 'healthy');
      assert.deepEqual(info.NetworkSettings.Ports['8888/tcp'], [{ HostIp: '127.0.0.1', HostPort: '8888' }]);
      assert.deepEqual(Object.keys(info.NetworkSettings.Ports), ['8888/tcp']);
      await runReadmeBlock(readme, 'jupyter-port');
      assert.ok(await connects('127.0.0.1', 8888), 'nothing answers on 127.0.0.1:8888');
      // The host's other addresses (LAN, docker0) must not reach it.
      const others = Object.values(os.networkInterfaces())
        .flat()
        .filter((a) => a && a.family === 'IPv4' && !a.internal)
        .map((a) => a!.address);
      assert.ok(others.length > 0, 'the host has no non-loopback IPv4 address to try');
      for (const address of others)
        assert.equal(await connects(address, 8888), false, `the server answers on ${address}:8888`);
    });

    test('without the token the server serves a login page and refuses the API', async () => {
      const lab = await fetch(`${base}/lab`, { redirect: 'manual' });
      assert.equal(lab.status, 302);
      assert.match(lab.headers.get('location') ?? '', /^\/login\b/);
      const login = await fetch(`${base}/login`);
      assert.equal(login.status, 200);
      assert.match(await login.text(), /Password or token/);
      for (const api of ['/api/contents', '/api/kernels', '/api/status']) {
        assert.equal((await fetch(`${base}${api}`)).status, 403, `${api} without a token`);
        assert.equal(
          (await fetch(`${base}${api}`, { headers: { Authorization: 'token wrong' } })).status,
          403,
          `${api} with a wrong token`,
        );
      }
      assert.equal((await fetch(`${base}/api/status`, { headers: { Authorization: `token ${token}` } })).status, 200);
    });

    test('a file written from inside the container belongs to the owner of the folder and stays editable', async () => {
      const response = await putFile(token, 'e2e-probe.txt', 'written by Jupyter\n');
      assert.equal(response.status, 201, await response.text());
      const file = path.join(demo, 'e2e-probe.txt');
      const folder = statSync(demo);
      const written = statSync(file);
      assert.deepEqual([written.uid, written.gid], [folder.uid, folder.gid]);
      assert.equal(written.uid, process.getuid!(), 'the test runs as the owner of the demo folder');
      const [whoami] = await runReadmeBlock(imagePage, 'jupyter-whoami', { cwd: demo });
      assert.match(whoami!.stdout, new RegExp(`running as uid ${folder.uid}, gid ${folder.gid} `));
      accessSync(file, constants.W_OK);
      appendFileSync(file, 'edited on the host\n');
      assert.equal(readFileSync(file, 'utf8'), 'written by Jupyter\nedited on the host\n');
    });

    test('the server runs without capabilities, on a read-only root filesystem, with read-only data', async () => {
      const container = await containerOf(demo);
      const status = (await mustRun('docker', ['exec', container, 'cat', '/proc/1/status'])).stdout;
      for (const cap of ['CapPrm', 'CapEff', 'CapBnd', 'CapAmb'])
        assert.match(status, new RegExp(`^${cap}:\\s+0{16}$`, 'm'));
      assert.match(status, /^NoNewPrivs:\s+1$/m);
      const info = await inspect(container);
      assert.equal(info.HostConfig.ReadonlyRootfs, true);
      await runReadmeBlock(readme, 'jupyter-isolation', { exitCodes: [0, 1, 1] });
    });

    test('the README shows files written in the container appearing on the host', async () => {
      await runReadmeBlock(readme, 'jupyter-shared');
      assert.equal(existsSync(path.join(demo, 'test.txt')), false, 'the README removes test.txt again');
    });

    test('the notebook executes headlessly, without error, with the committed outputs', async () => {
      await runReadmeBlock(readme, 'jupyter-notebook', { timeoutMs: 300_000 });
      const executed = await mustRun(
        'docker',
        [
          'compose',
          'run',
          '--rm',
          '-T',
          service,
          'jupyter',
          'nbconvert',
          '--to',
          'notebook',
          '--execute',
          '--ExecutePreprocessor.record_timing=False',
          '--stdout',
          'perceptron.ipynb',
        ],
        { cwd: demo, timeoutMs: 300_000 },
      );
      saveArtifact('linear-classifier-jupyter/perceptron.executed.ipynb', executed.stdout);
      const fresh = JSON.parse(executed.stdout) as Notebook;
      const committed = JSON.parse(readFileSync(path.join(demo, 'perceptron.ipynb'), 'utf8')) as Notebook;
      const outputs = fresh.cells.flatMap((c) => c.outputs ?? []);
      assert.deepEqual(
        outputs.filter((o) => o.output_type === 'error'),
        [],
      );
      const plain = outputs.map((o) => [o.data?.['text/plain'] ?? ''].flat().join('')).join('\n');
      // The notebook's own perceptron and the shared module end with the same weights and accuracies.
      assert.match(plain, /same: \{\s+epochs: true,\s+weights: true,\s+trainAccuracy: true,\s+testAccuracy: true\s+\}/);
      assert.equal(
        outputs.filter((o) => /^<svg /.test([o.data?.['image/svg+xml'] ?? ''].flat().join(''))).length,
        2,
        'two plots',
      );
      // The committed notebook shows what a fresh run prints: outputs, plots and all.
      assert.deepEqual(
        outputsOf(fresh),
        outputsOf(committed),
        'perceptron.ipynb is committed with stale outputs: re-execute it (README)',
      );
    });

    test('the notebook runs offline: its dependencies are in the image, and the Deno cache need not be writable', async () => {
      const mount = (from: string, to: string): string[] => ['-v', `${path.join(repoRoot, from)}:${to}:ro`];
      // Plain `docker run`: the image's own user (jovyan, 1000), no network at all, everything read-only.
      const result = await run(
        'docker',
        [
          'run',
          '--rm',
          '--network',
          'none',
          ...mount('linear-classifier-jupyter', '/home/jovyan/work'),
          ...mount('linear-classifier/src', '/home/jovyan/linear-classifier/src'),
          ...mount('linear-classifier/data', '/home/jovyan/linear-classifier/data'),
          image,
          'jupyter',
          'execute',
          'perceptron.ipynb',
        ],
        { timeoutMs: 300_000 },
      );
      assert.equal(result.code, 0, result.output);
      assert.match(result.stderr, /Executing notebook with kernel: deno/);
    });

    test('an empty JUPYTER_TOKEN is refused, not served without authentication', async () => {
      const result = await run('docker', ['compose', 'run', '--rm', '-T', '-e', 'JUPYTER_TOKEN=', service], {
        cwd: demo,
      });
      assert.equal(result.code, 64, result.output);
      assert.match(
        result.stderr,
        /^entrypoint: JUPYTER_TOKEN is set but empty, which would switch authentication off; unset it or set a token$/m,
      );
    });

    test('.devcontainer/devcontainer.json opens the same compose service at the work folder', async () => {
      // JSON with comments: drop the // lines before parsing.
      const text = readFileSync(path.join(demo, '.devcontainer', 'devcontainer.json'), 'utf8').replace(
        /^\s*\/\/.*$/gm,
        '',
      );
      const config = JSON.parse(text) as {
        dockerComposeFile: string[];
        service: string;
        overrideCommand: boolean;
        workspaceFolder: string;
      };
      assert.deepEqual(config.dockerComposeFile, ['../compose.yaml']);
      assert.equal(config.service, service);
      assert.equal(config.overrideCommand, false, 'JupyterLab keeps running while the editor is attached');
      const { stdout } = await mustRun('docker', ['compose', 'config', '--format', 'json'], { cwd: demo });
      const volumes = (JSON.parse(stdout) as ComposeFile).services?.[service]?.volumes ?? [];
      assert.ok(
        volumes.some((v) => v.source === demo && v.target === config.workspaceFolder),
        `${config.workspaceFolder} is the mounted demo folder`,
      );
    });

    test('the README stops it', async () => {
      await runReadmeBlock(readme, 'jupyter-stop');
      assert.equal(await containerOf(demo), '');
    });
  });

  describe('in a copy owned by uid 1000 (a typical Linux desktop)', () => {
    const project = 'lcj-e2e-uid1000';
    let top = '';

    before(async () => {
      top = mkdtempSync(path.join(os.tmpdir(), 'lcj-e2e-'));
      cpSync(demo, path.join(top, 'linear-classifier-jupyter'), {
        recursive: true,
        filter: (p) => !p.includes('.ipynb_checkpoints') && !p.endsWith('.env'),
      });
      for (const part of ['src', 'data'])
        cpSync(path.join(repoRoot, 'linear-classifier', part), path.join(top, 'linear-classifier', part), {
          recursive: true,
        });
      await mustRun('docker', ['compose', '-p', project, 'build', '-q'], {
        cwd: path.join(top, 'linear-classifier-jupyter'),
        timeoutMs: 900_000,
      });
      await mustRun('docker', [
        'run',
        '--rm',
        '--user',
        'root',
        '--entrypoint',
        'chown',
        '-v',
        `${top}:/x`,
        image,
        '-R',
        '1000:1000',
        '/x',
      ]);
    });

    after(async () => {
      if (!top) return;
      await compose(path.join(top, 'linear-classifier-jupyter'), ['-p', project, 'down', '-v']);
      await run('docker', [
        'run',
        '--rm',
        '--user',
        'root',
        '--entrypoint',
        'sh',
        '-v',
        `${top}:/x`,
        image,
        '-c',
        'rm -rf /x/* /x/.[!.]*',
      ]);
      rmSync(top, { recursive: true, force: true });
    });

    test('commands run as jovyan (1000) from the image, and the files they write are 1000:1000', async () => {
      const dir = path.join(top, 'linear-classifier-jupyter');
      const { stdout } = await mustRun(
        'docker',
        [
          'compose',
          '-p',
          project,
          'run',
          '--rm',
          '-T',
          service,
          'sh',
          '-c',
          'id -un; id -u; echo "$LD_PRELOAD"; touch written-inside.txt',
        ],
        { cwd: dir },
      );
      assert.equal(stdout, 'jovyan\n1000\n\n', 'jovyan from /etc/passwd, no nss_wrapper needed');
      const written = statSync(path.join(dir, 'written-inside.txt'));
      assert.deepEqual([written.uid, written.gid], [1000, 1000]);
    });
  });

  describe('in a copy owned by uid 501 (as on macOS), with the token from a .env file', () => {
    const project = 'lcj-e2e-uid501';
    const token = `e2e-${process.pid}-token`;
    let top = '';
    let copy = '';

    /** Runs a command as root in a throwaway container over the copy: chown and clean-up need no root on the host. */
    const asRootIn = (dir: string, ...command: string[]) =>
      mustRun('docker', [
        'run',
        '--rm',
        '--user',
        'root',
        '--entrypoint',
        command[0]!,
        '-v',
        `${dir}:/x`,
        '-w',
        '/x',
        image,
        ...command.slice(1),
      ]);

    before(async () => {
      top = mkdtempSync(path.join(os.tmpdir(), 'lcj-e2e-'));
      copy = path.join(top, 'linear-classifier-jupyter');
      cpSync(demo, copy, { recursive: true, filter: (p) => !p.includes('.ipynb_checkpoints') });
      for (const part of ['src', 'data'])
        cpSync(path.join(repoRoot, 'linear-classifier', part), path.join(top, 'linear-classifier', part), {
          recursive: true,
        });
      // The token from a git-ignored .env file, as the README says.
      writeFileSync(path.join(copy, '.env'), `JUPYTER_TOKEN=${token}\n`);
      await mustRun('docker', ['compose', '-p', project, 'build', '-q'], { cwd: copy, timeoutMs: 900_000 });
      await asRootIn(top, 'chown', '-R', '501:20', '.');
      await mustRun('docker', ['compose', '-p', project, 'up', '-d', '--wait'], { cwd: copy, timeoutMs: 120_000 });
    });

    after(async () => {
      if (!copy) return;
      await compose(copy, ['-p', project, 'down', '-v', '--rmi', 'local']);
      await run('docker', ['rmi', image]);
      await asRootIn(top, 'sh', '-c', 'rm -rf /x/* /x/.[!.]*').catch(() => {});
      rmSync(top, { recursive: true, force: true });
    });

    test('Jupyter runs as uid 501, gid 20, with no capabilities, and a name for the shell', async () => {
      const container = await containerOf(copy, project);
      const status = (await mustRun('docker', ['exec', container, 'cat', '/proc/1/status'])).stdout;
      assert.match(status, /^Uid:\s+501\s+501\s+501\s+501$/m);
      assert.match(status, /^Gid:\s+20\s+20\s+20\s+20$/m);
      assert.match(status, /^CapEff:\s+0{16}$/m);
      const { stdout } = await mustRun(
        'docker',
        ['compose', '-p', project, 'run', '--rm', '-T', service, 'sh', '-c', 'id -un; id -u; echo $HOME'],
        { cwd: copy },
      );
      assert.match(stdout, /^jovyan\n501\n\/home\/jovyan$/m);
    });

    test('the token from .env is the one that works', async () => {
      const { stdout: logs } = await mustRun('docker', ['compose', '-p', project, 'logs', service], { cwd: copy });
      assert.match(
        logs,
        /http:\/\/127\.0\.0\.1:8888\/lab\?token=\.\.\./,
        'a token set by the user is masked in the log',
      );
      assert.ok(!logs.includes(token), 'the token from .env is not printed');
      assert.equal((await fetch(`${base}/api/status`, { headers: { Authorization: `token ${token}` } })).status, 200);
      assert.equal((await fetch(`${base}/api/status`)).status, 403);
    });

    test('saving from the browser writes files owned by uid 501, without permission errors', async () => {
      const response = await putFile(token, 'from-jupyter.txt', 'hello\n');
      assert.equal(response.status, 201, await response.text());
      const written = statSync(path.join(copy, 'from-jupyter.txt'));
      assert.deepEqual([written.uid, written.gid], [501, 20]);
      // Saving the notebook itself (with a checkpoint first, as JupyterLab does).
      const auth = { Authorization: `token ${token}` };
      const checkpoint = await fetch(`${base}/api/contents/perceptron.ipynb/checkpoints`, {
        method: 'POST',
        headers: auth,
      });
      assert.equal(checkpoint.status, 201, await checkpoint.text());
      const notebook = (await (await fetch(`${base}/api/contents/perceptron.ipynb`, { headers: auth })).json()) as {
        content: Notebook;
      };
      const saved = await fetch(`${base}/api/contents/perceptron.ipynb`, {
        method: 'PUT',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ type: 'notebook', format: 'json', content: notebook.content }),
      });
      assert.equal(saved.status, 200, await saved.text());
      for (const p of ['perceptron.ipynb', '.ipynb_checkpoints', '.ipynb_checkpoints/perceptron-checkpoint.ipynb']) {
        const s = statSync(path.join(copy, p));
        assert.deepEqual([s.uid, s.gid], [501, 20], p);
      }
    });

    test('a browser opens the notebook with the token and runs a cell on the Deno kernel', async (t) => {
      await withBrowserPage(t, { width: 1280, height: 900 }, async (page) => {
        try {
          await page.goto(`${base}/lab/tree/perceptron.ipynb?token=${token}`);
          // The status bar says when the notebook's kernel (Deno) has started and is idle.
          await page
            .locator('.jp-StatusBar-Widget', { hasText: /Deno \| Idle/ })
            .first()
            .waitFor({ timeout: 90_000 });
          // A new cell above the first code cell gets a line only the Deno kernel can answer.
          const codeCells = page.locator('.jp-NotebookPanel .jp-CodeCell');
          await codeCells.first().locator('.cm-content').click();
          await page.keyboard.press('Escape');
          await page.keyboard.press('a');
          const cell = codeCells.first();
          await waitFor(
            'a new, empty cell',
            async () => (await cell.locator('.cm-content').innerText()).trim() === '',
            10_000,
          );
          await page.keyboard.press('Enter');
          await page.keyboard.type('Deno.version.deno');
          await waitFor(
            'the line typed into the new cell',
            async () => (await cell.locator('.cm-content').innerText()).includes('Deno.version.deno'),
            10_000,
          );
          await page.keyboard.press('Shift+Enter');
          const output = cell.locator('.jp-OutputArea-output');
          await output.waitFor({ timeout: 60_000 });
          assert.match(await output.innerText(), /2\.9\.6/);
          assert.match(await cell.locator('.jp-InputPrompt').innerText(), /\[1\]/, 'the cell ran on a fresh kernel');
          const file = saveArtifact('linear-classifier-jupyter/jupyterlab.png', await page.screenshot());
          t.diagnostic(`screenshot: ${path.relative(repoRoot, file)}`);
        } catch (err) {
          saveArtifact(
            'linear-classifier-jupyter/jupyterlab-failure.png',
            await page.screenshot().catch(() => new Uint8Array()),
          );
          throw err;
        }
      });
    });
  });
});
