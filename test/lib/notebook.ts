/** The parts of a Jupyter notebook (nbformat 4) that the tests read and write. */

/** One output of a code cell; text may be split into lines. */
export interface CellOutput {
  output_type: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
}

/** One cell: its kind, its source (split into lines) and, for a code cell, its outputs. */
export interface Cell {
  cell_type: string;
  metadata?: Record<string, unknown>;
  source: string[];
  outputs?: CellOutput[];
  execution_count?: number | null;
}

/** A notebook: its cells, and the metadata that names its kernel. */
export interface Notebook {
  cells: Cell[];
  metadata: { kernelspec?: { name: string } };
}

/** The text and images of a notebook's code cell outputs, for comparing two runs. */
export function outputsOf(notebook: Notebook): unknown[] {
  return notebook.cells
    .filter((c) => c.cell_type === 'code')
    .map((c) =>
      (c.outputs ?? []).map((o) => ({
        type: o.output_type,
        text: o.text === undefined ? undefined : [o.text].flat().join(''),
        data: o.data && Object.fromEntries(Object.entries(o.data).map(([k, v]) => [k, [v].flat().join('')])),
      })),
    );
}
