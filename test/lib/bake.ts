/**
 * The demos' release builds: the command each docker-bake.hcl documents, the tags it gives, and
 * what a built image holds per platform. Importing this runs nothing.
 */
import { run } from './docker.ts';

/** The build command each bake file's header documents, run in the demo's folder. */
export const bakeCommand = 'SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) docker buildx bake';

/** The documented build command of a demo: those that read ../linear-classifier say bake may. */
export const bakeCommandFor = (demo: string): string =>
  demo === 'classifier-api' || demo === 'classifier-app' ? `${bakeCommand} --allow fs.read=..` : bakeCommand;

/** The command that loads a target's OCI archive into the engine, as the header documents it. */
export const loadCommand = (target: string): string => `docker load -i ${target}.tar`;

/** Each demo's bake targets (the default group) and the tag each one gives. */
export const bakeTargets: Record<string, Record<string, string>> = {
  'nifty-useless-model': { 'nifty-useless-model': 'nifty-useless-model' },
  'linear-classifier': { 'linear-classifier': 'linear-classifier' },
  'linear-classifier-jupyter': { 'linear-classifier-jupyter': 'linear-classifier-jupyter' },
  'classifier-api': { 'classifier-api-trainer': 'classifier-api-trainer', 'classifier-api': 'classifier-api' },
  'classifier-app': { 'classifier-app': 'classifier-app' },
};

/** The platforms every demo is built for. */
export const platforms = ['linux/amd64', 'linux/arm64'] as const;

/** The `os/arch` of a tag's image for `platform`, or what `docker image inspect` said instead. */
export async function platformOf(tag: string, platform: string): Promise<string> {
  const r = await run('docker', [
    'image',
    'inspect',
    '--platform',
    platform,
    '--format',
    '{{.Os}}/{{.Architecture}}',
    tag,
  ]);
  return r.code === 0 ? r.stdout.trim() : r.output.trim();
}
