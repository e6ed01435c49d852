/**
 * The Markdown side of the docs check (see readme.ts): the fenced blocks of a README and their
 * markers, file regions, run blocks, project trees, and expected output compared as a terminal
 * shows it. Reads no file and runs nothing.
 */

/** One fenced block of a Markdown file with the marker before it. */
export interface Block {
  /** The Markdown file, absolute. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The fence's info string (language), e.g. `console`. */
  lang: string;
  /** `file`, `run`, `output`, `tree`, `manual`, or `null` when unmarked. */
  kind: string | null;
  /** What follows the kind in the marker: a path, an id or a reason. */
  arg: string;
  /** The block's content, without the fences, ending in a newline unless empty. */
  content: string;
}

const markerPattern = /^<!--\s*(file|run|output|tree|manual):\s*(.*?)\s*-->\s*$/;

/** Parses the fenced blocks of a Markdown text, each with the marker comment right before it. */
export function parseBlocks(markdown: string, file = '<memory>'): Block[] {
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trim().startsWith(fence)) j++;
    // The marker is the nearest non-blank line above the fence.
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === '') k--;
    const marker = k >= 0 ? markerPattern.exec(lines[k]!.trim()) : null;
    const body = lines.slice(i + 1, j);
    blocks.push({
      file,
      line: i + 1,
      lang: open[3] ?? '',
      kind: marker ? marker[1]! : null,
      arg: marker ? marker[2]! : '',
      content: body.length ? body.join('\n') + '\n' : '',
    });
    i = j;
  }
  return blocks;
}

/** Reads a file's region between lines holding `#region NAME` and `#endregion`, markers excluded. */
export function fileRegion(text: string, name: string): string | null {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => new RegExp(`#region ${name}\\s*(-->|\\*/)?\\s*$`).test(l));
  if (start < 0) return null;
  const end = lines.findIndex((l, i) => i > start && /#endregion\b/.test(l));
  if (end < 0) return null;
  return lines
    .slice(start + 1, end)
    .map((l) => l + '\n')
    .join('');
}

/** Removes `#region`/`#endregion` marker lines, for comparing a whole file with a block. */
export function withoutRegionMarkers(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/#(region \S+|endregion)\b/.test(l))
    .join('\n');
}

/**
 * What a terminal shows for `text`: a carriage return moves back to the start of the line, so the
 * text after it overwrites what was there; `ESC [ K` erases from the cursor to the end of the line
 * (`ESC [ 1 K` to its start, `ESC [ 2 K` all of it). Colour and other escape sequences are dropped.
 * Compose 2.40 writes "\r\x1b[K" before its "exited with code" line even into a pipe.
 */
export function renderTerminal(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const screen: string[] = [];
      let cursor = 0;
      // eslint-disable-next-line no-control-regex -- ESC starts the terminal sequences matched here
      for (const token of line.match(/\x1b\[[0-9;?]*[A-Za-z]|\r|[^\x1b\r]|\x1b/gu) ?? []) {
        if (token === '\r') cursor = 0;
        else if (token.endsWith('K') && token.startsWith('\x1b[')) {
          const mode = token.slice(2, -1);
          if (mode === '' || mode === '0') screen.length = Math.min(screen.length, cursor);
          else if (mode === '1') screen.fill(' ', 0, Math.min(screen.length, cursor + 1));
          else if (mode === '2') screen.length = 0;
        } else if (!token.startsWith('\x1b')) {
          while (screen.length < cursor) screen.push(' ');
          screen[cursor++] = token;
        }
      }
      return screen.join('');
    })
    .join('\n');
}

const normaliseLines = (s: string): string[] => {
  const lines = renderTerminal(s)
    .split('\n')
    .map((l) => l.trimEnd());
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  while (lines.length && lines[0] === '') lines.shift();
  return lines;
};

/**
 * Does `actual` match the expected output `expected`? `...` alone on a line matches any lines
 * (none included); `...` inside a line matches any text there. Returns null on a match, or a
 * message that shows where they part.
 */
export function outputMismatch(expected: string, actual: string): string | null {
  const exp = normaliseLines(expected);
  const act = normaliseLines(actual);
  const lineMatches = (pattern: string, line: string): boolean => {
    if (!pattern.includes('...')) return pattern === line;
    const re = pattern
      .split('...')
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    return new RegExp(`^${re}$`).test(line);
  };
  // Classic backtracking match of lines against patterns, with `...` lines as stars.
  const memo = new Map<string, boolean>();
  const match = (e: number, a: number): boolean => {
    const key = `${e},${a}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let ok: boolean;
    if (e === exp.length) ok = a === act.length;
    else if (exp[e] === '...') ok = match(e + 1, a) || (a < act.length && match(e, a + 1));
    else ok = a < act.length && lineMatches(exp[e]!, act[a]!) && match(e + 1, a + 1);
    memo.set(key, ok);
    return ok;
  };
  if (match(0, 0)) return null;
  return `expected output:\n${exp.map((l) => `  | ${l}`).join('\n')}\nactual output:\n${act.map((l) => `  | ${l}`).join('\n')}`;
}

/** The paths a project tree lists (├── name, │   └── name, with folders ending in /). */
export function treeEntries(tree: string): string[] {
  const entries: string[] = [];
  const stack: string[] = [];
  for (const raw of tree.split('\n')) {
    const m = /^((?:│ {3}| {4}|│\u00a0\u00a0 )*)(?:├── |└── )([^#\s][^#]*?)\s*(?:#.*)?$/.exec(raw);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const name = m[2]!.replace(/\/$/, '');
    entries.push([...stack, name].join('/'));
    stack.push(name);
  }
  return entries;
}

/** One command of a run block and the output the README says it prints. */
export interface RunStep {
  command: string;
  expected: string;
}

/** Splits a run block into commands (`$ ` lines, continued by trailing backslashes) and outputs. */
export function parseRunBlock(content: string): RunStep[] {
  const steps: RunStep[] = [];
  const lines = content.replace(/\n$/, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('$ ')) {
      let command = line.slice(2);
      while (command.endsWith('\\') && i + 1 < lines.length) command = command + '\n' + lines[++i]!;
      steps.push({ command, expected: '' });
    } else if (steps.length) {
      steps[steps.length - 1]!.expected += line + '\n';
    }
  }
  return steps;
}
