/**
 * What a test left behind in the engine, for the tests that check their clean-up: one line per
 * thing, such as `container NAME`, `volume NAME` or `image REPOSITORY:TAG`; [] when nothing is.
 */
import { run } from './docker.ts';

/** The lines of a docker command's output, blank ones left out. */
export async function dockerLines(args: string[]): Promise<string[]> {
  const { stdout } = await run('docker', args);
  return stdout.split('\n').filter((line) => line.trim() !== '');
}

/** The containers, volumes and networks that match a filter (`label=...`, `name=...`). */
export async function resourcesMatching(filter: string): Promise<string[]> {
  return [
    ...(await dockerLines(['container', 'ls', '-a', '--filter', filter, '--format', 'container {{.Names}}'])),
    ...(await dockerLines(['volume', 'ls', '--filter', filter, '--format', 'volume {{.Name}}'])),
    ...(await dockerLines(['network', 'ls', '--filter', filter, '--format', 'network {{.Name}}'])),
  ];
}

/** The images whose name matches a reference pattern (`docker image ls --filter reference=...`). */
export async function imagesNamed(reference: string): Promise<string[]> {
  return dockerLines([
    'image',
    'ls',
    '--filter',
    `reference=${reference}`,
    '--format',
    'image {{.Repository}}:{{.Tag}}',
  ]);
}

/** What a Compose project left: its containers, volumes and networks, and the images it built. */
export async function composeLeftovers(project: string): Promise<string[]> {
  return [
    ...(await resourcesMatching(`label=com.docker.compose.project=${project}`)),
    ...(await imagesNamed(`${project}-*`)),
  ];
}
